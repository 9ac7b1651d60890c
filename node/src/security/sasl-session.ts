/**
 * One connection's progress through SASL, as Kafka's SaslServerAuthenticator walks it:
 *
 *   handshake  --SaslHandshake(enabled mechanism)-->  authenticate  --last token ok-->  authenticated
 *        \--unsupported mechanism: answer 33, close        \--bad token: answer 58, close
 *
 * Before `authenticated` only ApiVersions, SaslHandshake and SaslAuthenticate are served; anything else
 * closes the connection (the router enforces that). A v0 handshake means the tokens that follow come as
 * bare frames without Kafka headers (`rawTokens`). Errors here are typed values; nothing throws out.
 */
import { ErrorCode } from '../protocol/error-codes.ts';
import type { SaslAuthenticator } from './authenticator.ts';
import { SaslAuthError, type SaslServerExchange } from './sasl/mechanism.ts';
import { userPrincipal } from './principal.ts';

export type SaslState = 'handshake' | 'authenticate' | 'authenticated' | 'failed';

export type HandshakeOutcome = { errorCode: number; mechanisms: string[]; close?: string };

export type TokenOutcome =
  | { ok: true; response: Buffer; principal?: string }
  | { ok: false; errorCode: number; message: string };

export class SaslSession {
  state: SaslState = 'handshake';
  /** After a v0 handshake the tokens arrive without Kafka headers. */
  rawTokens = false;
  private exchange: SaslServerExchange | null = null;

  constructor(private readonly authenticator: SaslAuthenticator) {}

  /** True once the client has authenticated. */
  get authenticated(): boolean {
    return this.state === 'authenticated';
  }

  /** Handles SaslHandshake. */
  handshake(mechanism: string, version: number): HandshakeOutcome {
    const mechanisms = [...this.authenticator.mechanisms];
    if (this.state !== 'handshake') {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE.code, mechanisms, close: `SaslHandshake in state ${this.state}` };
    }
    const exchange = this.authenticator.start(mechanism);
    if (!exchange) {
      this.state = 'failed';
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM.code, mechanisms, close: `unsupported SASL mechanism ${JSON.stringify(mechanism)}` };
    }
    this.exchange = exchange;
    this.state = 'authenticate';
    this.rawTokens = version === 0;
    return { errorCode: ErrorCode.NONE.code, mechanisms };
  }

  /** Handles one client token (a SaslAuthenticate request's bytes, or a raw frame after a v0 handshake). */
  token(bytes: Buffer): TokenOutcome {
    if (this.state !== 'authenticate' || !this.exchange) {
      return { ok: false, errorCode: ErrorCode.ILLEGAL_SASL_STATE.code, message: `Unexpected SaslAuthenticate in state ${this.state}` };
    }
    try {
      const step = this.exchange.step(bytes);
      if (!step.done) return { ok: true, response: step.response };
      this.state = 'authenticated';
      this.rawTokens = false;
      this.exchange = null;
      return { ok: true, response: step.response, principal: userPrincipal(step.user) };
    } catch (err) {
      this.state = 'failed';
      this.exchange = null;
      if (err instanceof SaslAuthError) return { ok: false, errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED.code, message: err.message };
      throw err;
    }
  }
}
