/** SaslHandshake: picks the mechanism of the connection's SASL exchange (or refuses it and closes). */
import { decodeSaslHandshakeRequest, encodeSaslHandshakeResponse, type SaslHandshakeRequest, type SaslHandshakeResponse } from '../../protocol/apis/sasl-handshake.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { ApiHandler } from '../router.ts';

/** Answers SaslHandshake; on a listener without SASL every handshake is ILLEGAL_SASL_STATE, as in Kafka. */
export function saslHandshakeHandler(): ApiHandler<SaslHandshakeRequest, SaslHandshakeResponse> {
  return {
    decode: decodeSaslHandshakeRequest,
    encode: encodeSaslHandshakeResponse,
    async handle(req, ctx) {
      const session = ctx.conn.sasl;
      if (!session) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE.code, mechanisms: [] };
      const out = session.handshake(req.mechanism, ctx.header.apiVersion);
      if (out.close) ctx.closeAfter = out.close;
      return { errorCode: out.errorCode, mechanisms: out.mechanisms };
    },
  };
}
