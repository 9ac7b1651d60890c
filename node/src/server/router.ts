/**
 * The dispatch table: API key -> handler. Decodes the header, answers ApiVersions at an unknown version
 * with UNSUPPORTED_VERSION in the v0 layout (what clients expect, KIP-511), closes the connection for any
 * other unknown key or version or a body that does not parse, and otherwise runs the API's handler.
 *
 * On a SASL listener a connection that has not authenticated yet may only ask ApiVersions, SaslHandshake
 * and SaslAuthenticate; anything else closes it, as Kafka does (ILLEGAL_SASL_STATE has no response of
 * its own to travel in). After a v0 SaslHandshake the next frames are bare SASL tokens, not requests.
 */
import { ApiKey, advertisedVersions, apiKeyName } from '../protocol/api-keys.ts';
import { encodeApiVersionsResponse } from '../protocol/apis/api-versions.ts';
import { ErrorCode } from '../protocol/error-codes.ts';
import { decodeRequestHeader, writeResponseHeader, type DecodedRequestHeader } from '../protocol/header.ts';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';
import type { Connection, FrameHandler, HandlerResult } from './connection.ts';
import type { Logger } from '../logging.ts';

/** What a handler sees besides its request. */
export interface RequestContext {
  header: DecodedRequestHeader;
  conn: Connection;
  /** Set by a handler whose response must be the connection's last (a failed SASL login). */
  closeAfter?: string;
}

/** What a connection may ask before it has authenticated. */
const BEFORE_AUTHENTICATION = new Set<number>([ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

/** One Kafka API: its codec and its behaviour. `handle` returning null sends no response (acks=0). */
export interface ApiHandler<Req, Res> {
  decode(r: Reader, version: number): Req;
  encode(w: Writer, version: number, res: Res): void;
  handle(req: Req, ctx: RequestContext): Promise<Res | null>;
}

/** A handler that takes over the connection (the chain replication link). */
export interface RawHandler {
  raw(frame: Buffer, ctx: RequestContext): Promise<HandlerResult>;
}

export type AnyHandler = ApiHandler<unknown, unknown> | RawHandler;

/** Observes each request for metrics: API name, seconds taken, answered or closed, and the decoded response (if any). */
export type RequestObserver = (api: string, seconds: number, outcome: 'ok' | 'closed', response: unknown) => void;

/** Builds the connection's frame handler from the dispatch table. */
export function createRouter(table: ReadonlyMap<number, AnyHandler>, log: Logger, observe?: RequestObserver): FrameHandler {
  return async (frame: Buffer, conn: Connection): Promise<HandlerResult> => {
    if (conn.sasl?.rawTokens) return rawSaslToken(frame, conn);
    let header: DecodedRequestHeader;
    try {
      header = decodeRequestHeader(frame);
    } catch {
      return { close: 'malformed request header' };
    }
    const started = process.hrtime.bigint();
    const api = apiKeyName(header.apiKey) ?? `unknown(${header.apiKey})`;
    let response: unknown = null;
    const result = await dispatch(table, frame, header, conn, log, (res) => (response = res));
    observe?.(api, Number(process.hrtime.bigint() - started) / 1e9, result !== null && typeof result === 'object' && 'close' in result ? 'closed' : 'ok', response);
    return result;
  };
}

async function dispatch(
  table: ReadonlyMap<number, AnyHandler>,
  frame: Buffer,
  header: DecodedRequestHeader,
  conn: Connection,
  log: Logger,
  onResponse: (res: unknown) => void,
): Promise<HandlerResult> {
  const handler = table.get(header.apiKey);
  if (conn.sasl && !conn.sasl.authenticated && !BEFORE_AUTHENTICATION.has(header.apiKey)) {
    return { close: `${apiKeyName(header.apiKey) ?? header.apiKey} before SASL authentication` };
  }
  if (header.apiKey === ApiKey.ApiVersions && !header.supported) {
    return unsupportedApiVersions(header.correlationId);
  }
  if (!handler) return { close: `unknown api key ${header.apiKey}` };
  const ctx: RequestContext = { header, conn };
  if ('raw' in handler) return handler.raw(frame, ctx);
  if (!header.supported) return { close: `unsupported version ${header.apiVersion} of api ${header.apiKey}` };
  let req: unknown;
  try {
    req = handler.decode(new Reader(frame, header.bodyOffset), header.apiVersion);
  } catch (err) {
    log.debug('malformed request body', { api: header.apiKey, version: header.apiVersion, error: (err as Error).message });
    return { close: 'malformed request body' };
  }
  const res = await handler.handle(req, ctx);
  onResponse(res);
  if (res === null) return null;
  // Records and other large byte fields stay where they are (the buffer a Fetch read from the log) and
  // go to the socket by reference; the writer holds only the size prefix, header and small fields.
  // Copying the records into the writer cost a Fetch response's full size in memcpy and garbage.
  const w = new Writer(RESPONSE_WRITER_BYTES, { keepBytesOver: KEEP_BYTES_OVER });
  w.int32(0);
  writeResponseHeader(w, header.apiKey, header.apiVersion, header.correlationId);
  handler.encode(w, header.apiVersion, res);
  w.patchInt32(0, w.length - 4);
  return ctx.closeAfter === undefined ? w.toChunks() : { reply: w.toChunks(), close: ctx.closeAfter };
}

/** A bare SASL token after a v0 handshake: answered with a bare token, or the connection closes (Kafka's way). */
function rawSaslToken(frame: Buffer, conn: Connection): HandlerResult {
  const out = conn.sasl!.token(frame);
  if (!out.ok) return { close: `SASL authentication failed: ${out.message}` };
  if (out.principal) conn.principal = out.principal;
  return out.response;
}

/** Initial size of a response writer: most responses fit without growing it. */
const RESPONSE_WRITER_BYTES = 512;
/** Byte fields at least this large are sent by reference instead of being copied into the response. */
const KEEP_BYTES_OVER = 4096;

/** The v0 ApiVersions body with UNSUPPORTED_VERSION and our real ranges, so the client can pick a version. */
function unsupportedApiVersions(correlationId: number): Buffer {
  const w = new Writer(512);
  w.int32(correlationId);
  encodeApiVersionsResponse(w, 0, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION.code,
    apiKeys: advertisedVersions(),
    throttleTimeMs: 0,
  });
  return Buffer.from(w.toBuffer());
}
