/**
 * Typed errors that carry a Kafka error code. Modules below the protocol edge throw or return these;
 * the server turns them into per-partition error codes in responses.
 */
import { ErrorCode, type ErrorCodeName } from './error-codes.ts';

/** An expected failure with the Kafka error code the client should see. */
export class KafkaError extends Error {
  readonly code: number;
  readonly codeName: ErrorCodeName;
  constructor(codeName: ErrorCodeName, message?: string) {
    super(message ?? codeName);
    this.name = 'KafkaError';
    this.codeName = codeName;
    this.code = ErrorCode[codeName].code;
  }
}

/** Raised by decoders on malformed input: truncated data, bad lengths, absurd sizes. */
export class DecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DecodeError';
  }
}
