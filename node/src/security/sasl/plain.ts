/**
 * SASL/PLAIN (RFC 4616): one client message, `[authzid] NUL authcid NUL passwd`, UTF-8. Like Kafka,
 * an authorization id other than the user's own is refused: nobody may act as someone else. PLAIN sends
 * the password itself, so it belongs on TLS listeners (SASL_SSL).
 */
import { BAD_CREDENTIALS, SaslAuthError, type SaslServerExchange, type SaslStep } from './mechanism.ts';

export interface PlainMessage {
  authzid: string;
  username: string;
  password: string;
}

/** RFC 4616 caps each field at 255 octets; anything longer is malformed, not a long password. */
const MAX_FIELD_BYTES = 255;

/** Parses a PLAIN client message; throws SaslAuthError when it is malformed. */
export function parsePlain(token: Buffer): PlainMessage {
  const first = token.indexOf(0);
  const second = first < 0 ? -1 : token.indexOf(0, first + 1);
  if (first < 0 || second < 0 || token.indexOf(0, second + 1) >= 0) {
    throw new SaslAuthError('Invalid SASL/PLAIN message: expected authzid NUL username NUL password');
  }
  const fields = [token.subarray(0, first), token.subarray(first + 1, second), token.subarray(second + 1)];
  if (fields.some((f) => f.length > MAX_FIELD_BYTES)) throw new SaslAuthError('Invalid SASL/PLAIN message: field longer than 255 bytes');
  const [authzid, username, password] = fields.map((f) => f.toString('utf8')) as [string, string, string];
  if (username === '') throw new SaslAuthError('Invalid SASL/PLAIN message: empty username');
  if (password === '') throw new SaslAuthError('Invalid SASL/PLAIN message: empty password');
  return { authzid, username, password };
}

/** Encodes a PLAIN client message (the dialer's side). */
export function encodePlain(username: string, password: string): Buffer {
  return Buffer.concat([Buffer.alloc(1), Buffer.from(username, 'utf8'), Buffer.alloc(1), Buffer.from(password, 'utf8')]);
}

/** Server side of PLAIN: `verify` checks a user's password (in constant time). */
export class PlainServer implements SaslServerExchange {
  private finished = false;

  constructor(private readonly verify: (username: string, password: string) => boolean) {}

  step(token: Buffer): SaslStep {
    if (this.finished) throw new SaslAuthError('SASL/PLAIN takes exactly one message');
    this.finished = true;
    const msg = parsePlain(token);
    if (msg.authzid !== '' && msg.authzid !== msg.username) {
      throw new SaslAuthError('Authentication failed: authorization id must be empty or equal to the username');
    }
    if (!this.verify(msg.username, msg.password)) throw new SaslAuthError(BAD_CREDENTIALS);
    return { response: Buffer.alloc(0), done: true, user: msg.username };
  }
}
