/**
 * Failures of the transport, as opposed to Kafka error codes (which surface as the protocol's
 * KafkaError). Both kinds are retried when they mean "the cluster moved"; see retry.ts.
 */

/** The connection closed or failed while requests were outstanding, or could not be opened. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    /** `host:port` of the broker. */
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ConnectionError';
  }
}

/** No response arrived within the request timeout; the connection that carried it is closed. */
export class RequestTimeoutError extends ConnectionError {
  constructor(address: string, timeoutMs: number) {
    super(`no response from ${address} within ${timeoutMs} ms`, address);
    this.name = 'RequestTimeoutError';
  }
}
