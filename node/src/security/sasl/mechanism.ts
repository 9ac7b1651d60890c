/**
 * What every SASL mechanism shares: the names vonnegut knows, the server side of one exchange, and the
 * typed failure that the protocol edge turns into SASL_AUTHENTICATION_FAILED (58).
 */

/** The mechanisms vonnegut implements, by their IANA names (what clients send in SaslHandshake). */
export const SASL_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512', 'PLAIN'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/** True when `name` is a mechanism vonnegut implements. */
export function isSaslMechanism(name: string): name is SaslMechanism {
  return (SASL_MECHANISMS as readonly string[]).includes(name);
}

/** One step of a server exchange: the token to send back, and the user once the exchange is complete. */
export type SaslStep = { response: Buffer; done: false } | { response: Buffer; done: true; user: string };

/** The server half of one authentication exchange: feed it each client token in turn. */
export interface SaslServerExchange {
  step(token: Buffer): SaslStep;
}

/**
 * Authentication failed. The message goes to the client (Kafka sends it in SaslAuthenticate's
 * error_message), so it names no password and does not say whether the user exists.
 */
export class SaslAuthError extends Error {
  override readonly name = 'SaslAuthError';
}

/** The message for any credential mismatch: the same whether the user or the password was wrong. */
export const BAD_CREDENTIALS = 'Authentication failed: invalid credentials';
