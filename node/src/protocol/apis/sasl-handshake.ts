/**
 * SaslHandshake (key 17), versions 0-1; never flexible.
 *
 *   Request v0-1  => mechanism:string
 *   Response v0-1 => error_code:int16 mechanisms:[string]
 *
 * v0 and v1 share one grammar; they differ in what follows. After a v0 handshake the client sends the
 * SASL tokens as bare size-prefixed frames without Kafka headers; after v1 it wraps them in
 * SaslAuthenticate requests (KIP-152). The mechanisms list names what the broker enables, so a client
 * that asked for something else can say what it could have used.
 */
import type { Reader } from '../reader.ts';
import type { Writer } from '../writer.ts';

export interface SaslHandshakeRequest {
  mechanism: string;
}

export interface SaslHandshakeResponse {
  errorCode: number;
  mechanisms: string[];
}

/** Decodes a SaslHandshake request body. */
export function decodeSaslHandshakeRequest(r: Reader, _version: number): SaslHandshakeRequest {
  return { mechanism: r.string() };
}

/** Encodes a SaslHandshake request body. */
export function encodeSaslHandshakeRequest(w: Writer, _version: number, req: SaslHandshakeRequest): void {
  w.string(req.mechanism);
}

/** Encodes a SaslHandshake response body. */
export function encodeSaslHandshakeResponse(w: Writer, _version: number, res: SaslHandshakeResponse): void {
  w.int16(res.errorCode);
  w.array(res.mechanisms, (x, m) => x.string(m));
}

/** Decodes a SaslHandshake response body. */
export function decodeSaslHandshakeResponse(r: Reader, _version: number): SaslHandshakeResponse {
  const errorCode = r.int16();
  const mechanisms = r.array((x) => x.string());
  return { errorCode, mechanisms };
}
