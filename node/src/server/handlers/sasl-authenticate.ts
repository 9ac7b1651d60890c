/** SaslAuthenticate: one SASL token each way; success sets the connection's principal, failure closes it. */
import { decodeSaslAuthenticateRequest, encodeSaslAuthenticateResponse, type SaslAuthenticateRequest, type SaslAuthenticateResponse } from '../../protocol/apis/sasl-authenticate.ts';
import { ErrorCode } from '../../protocol/error-codes.ts';
import type { ApiHandler } from '../router.ts';

const EMPTY = Buffer.alloc(0);

/** Answers SaslAuthenticate with the mechanism's next token, or SASL_AUTHENTICATION_FAILED (58) and a close. */
export function saslAuthenticateHandler(): ApiHandler<SaslAuthenticateRequest, SaslAuthenticateResponse> {
  return {
    decode: decodeSaslAuthenticateRequest,
    encode: encodeSaslAuthenticateResponse,
    async handle(req, ctx) {
      const session = ctx.conn.sasl;
      if (!session) {
        return { errorCode: ErrorCode.ILLEGAL_SASL_STATE.code, errorMessage: 'this listener does not use SASL', authBytes: EMPTY, sessionLifetimeMs: 0 };
      }
      const out = session.token(req.authBytes);
      if (!out.ok) {
        ctx.closeAfter = `SASL authentication failed: ${out.message}`;
        return { errorCode: out.errorCode, errorMessage: out.message, authBytes: EMPTY, sessionLifetimeMs: 0 };
      }
      if (out.principal) ctx.conn.principal = out.principal;
      // 0: sessions do not expire (KIP-368 re-authentication is not offered).
      return { errorCode: ErrorCode.NONE.code, errorMessage: null, authBytes: out.response, sessionLifetimeMs: 0 };
    },
  };
}
