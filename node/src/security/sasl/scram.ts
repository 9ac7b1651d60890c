/**
 * SASL/SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), both halves, with node:crypto only.
 *
 *   client-first  n,[a=authzid],n=user,r=cnonce[,ext...]
 *   server-first  r=cnonce+snonce,s=base64(salt),i=iterations
 *   client-final  c=base64(gs2-header),r=cnonce+snonce[,ext...],p=base64(ClientKey XOR ClientSignature)
 *   server-final  v=base64(ServerSignature)
 *
 * The server keeps only StoredKey = H(ClientKey) and ServerKey per user (never the password), checks the
 * proof by recovering ClientKey and comparing H(ClientKey) in constant time, and answers an unknown user
 * with a made-up salt so the exchange looks the same until the proof fails: the error never says whether
 * the user exists. Kafka's client-first extensions (`tokenauth=true` for delegation tokens) are not
 * supported; other extensions are ignored, as RFC 5802 says. Passwords are used as UTF-8 without SASLprep,
 * as Kafka's ScramFormatter does.
 */
import crypto from 'node:crypto';
import { BAD_CREDENTIALS, SaslAuthError, type SaslServerExchange, type SaslStep } from './mechanism.ts';

export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

/** Kafka's minimum, and RFC 7677's recommendation. */
export const MIN_SCRAM_ITERATIONS = 4096;
/** Bytes of random salt per user and mechanism. */
export const SCRAM_SALT_BYTES = 32;

const HASH: Record<ScramMechanism, { name: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { name: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { name: 'sha512', bytes: 64 },
};

/** What the server stores per user and mechanism. */
export interface ScramCredential {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

const hmac = (m: ScramMechanism, key: Buffer, data: string | Buffer): Buffer => crypto.createHmac(HASH[m].name, key).update(data).digest();
const hash = (m: ScramMechanism, data: Buffer): Buffer => crypto.createHash(HASH[m].name).update(data).digest();
const xor = (a: Buffer, b: Buffer): Buffer => Buffer.from(a.map((x, i) => x ^ b[i]!));

/** Hi() of RFC 5802: PBKDF2 with the mechanism's HMAC. */
export function saltedPassword(m: ScramMechanism, password: string, salt: Buffer, iterations: number): Buffer {
  return crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, HASH[m].bytes, HASH[m].name);
}

/** Derives the stored credential for a password (random salt unless given). */
export function scramCredential(m: ScramMechanism, password: string, iterations = MIN_SCRAM_ITERATIONS, salt = crypto.randomBytes(SCRAM_SALT_BYTES)): ScramCredential {
  const salted = saltedPassword(m, password, salt, iterations);
  return { salt, iterations, storedKey: hash(m, hmac(m, salted, 'Client Key')), serverKey: hmac(m, salted, 'Server Key') };
}

/** True when `password` matches the credential (constant time in the comparison). */
export function verifyScramPassword(m: ScramMechanism, cred: ScramCredential, password: string): boolean {
  const salted = saltedPassword(m, password, cred.salt, cred.iterations);
  return crypto.timingSafeEqual(hash(m, hmac(m, salted, 'Client Key')), cred.storedKey);
}

/** A printable nonce (base64 never contains ','). */
export function scramNonce(): string {
  return crypto.randomBytes(24).toString('base64');
}

/** Splits `k=v,k=v` into ordered pairs (keys are letters, or longer names for Kafka's extensions). */
function attributes(text: string, what: string): [string, string][] {
  return text.split(',').map((part) => {
    const eq = part.indexOf('=');
    if (eq < 1 || !/^[a-zA-Z0-9]+$/.test(part.slice(0, eq))) throw new SaslAuthError(`Invalid SCRAM ${what}: bad attribute`);
    return [part.slice(0, eq), part.slice(eq + 1)];
  });
}

/** saslname of RFC 5802: ',' and '=' escaped as =2C and =3D; any other '=' is malformed. */
function decodeSaslName(s: string): string {
  if (/=(?!2C|3D)/.test(s)) throw new SaslAuthError('Invalid SCRAM username encoding');
  return s.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function encodeSaslName(s: string): string {
  return s.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function utf8(token: Buffer, what: string): string {
  const text = token.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(token)) throw new SaslAuthError(`Invalid SCRAM ${what}: not UTF-8`);
  return text;
}

/** Server side of one SCRAM exchange. `lookup` returns a user's credential for this mechanism. */
export class ScramServer implements SaslServerExchange {
  private stage: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private gs2Header = '';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private cred: ScramCredential | undefined;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly lookup: (user: string) => ScramCredential | undefined,
    /** Key for the made-up salt of unknown users (stable per process, so retries see the same salt). */
    private readonly fakeSaltKey: Buffer,
    private readonly serverNonce: string = scramNonce(),
  ) {}

  step(token: Buffer): SaslStep {
    switch (this.stage) {
      case 'first':
        return { response: Buffer.from(this.first(utf8(token, 'client-first message')), 'utf8'), done: false };
      case 'final': {
        const response = this.final(utf8(token, 'client-final message'));
        return { response: Buffer.from(response, 'utf8'), done: true, user: this.user };
      }
      default:
        throw new SaslAuthError('SCRAM exchange already complete');
    }
  }

  private first(msg: string): string {
    // gs2-header: cbind flag, optional authzid, then the bare message.
    const m = /^([ny]|p=[^,]*),(a=[^,]*)?,(.*)$/s.exec(msg);
    if (!m) throw new SaslAuthError('Invalid SCRAM client-first message');
    if (m[1]!.startsWith('p=')) throw new SaslAuthError('SCRAM channel binding is not supported');
    this.gs2Header = `${m[1]},${m[2] ?? ''},`;
    this.clientFirstBare = m[3]!;
    const attrs = attributes(this.clientFirstBare, 'client-first message');
    if (attrs[0]?.[0] !== 'n' || attrs[1]?.[0] !== 'r') throw new SaslAuthError('Invalid SCRAM client-first message: expected n= and r=');
    this.user = decodeSaslName(attrs[0][1]);
    const clientNonce = attrs[1][1];
    if (this.user === '' || clientNonce === '') throw new SaslAuthError('Invalid SCRAM client-first message: empty username or nonce');
    if (m[2] && decodeSaslName(m[2].slice(2)) !== this.user) {
      throw new SaslAuthError('Authentication failed: authorization id must be empty or equal to the username');
    }
    for (const [k, v] of attrs.slice(2)) {
      if (k === 'tokenauth' && v === 'true') throw new SaslAuthError('SCRAM extensions such as delegation tokens are not supported');
    }
    this.cred = this.lookup(this.user);
    const salt = this.cred?.salt ?? hmac(this.mechanism, this.fakeSaltKey, this.user).subarray(0, SCRAM_SALT_BYTES);
    const iterations = this.cred?.iterations ?? MIN_SCRAM_ITERATIONS;
    this.nonce = clientNonce + this.serverNonce;
    this.serverFirst = `r=${this.nonce},s=${salt.toString('base64')},i=${iterations}`;
    this.stage = 'final';
    return this.serverFirst;
  }

  private final(msg: string): string {
    this.stage = 'done';
    const proofAt = msg.lastIndexOf(',p=');
    if (proofAt < 0) throw new SaslAuthError('Invalid SCRAM client-final message: no proof');
    const withoutProof = msg.slice(0, proofAt);
    const attrs = attributes(withoutProof, 'client-final message');
    if (attrs[0]?.[0] !== 'c' || attrs[1]?.[0] !== 'r') throw new SaslAuthError('Invalid SCRAM client-final message: expected c= and r=');
    if (attrs[0][1] !== Buffer.from(this.gs2Header, 'utf8').toString('base64')) throw new SaslAuthError('Invalid SCRAM client-final message: channel binding mismatch');
    // librdkafka sends its own nonce once more in front of the combined one (r=cnonce+cnonce+snonce);
    // Kafka's ScramSaslServer accepts any nonce that ends with the server-first nonce, and so do we.
    if (!attrs[1][1].endsWith(this.nonce)) throw new SaslAuthError('Invalid SCRAM client-final message: nonce mismatch');
    const proof = Buffer.from(msg.slice(proofAt + 3), 'base64');
    const cred = this.cred;
    if (!cred || proof.length !== HASH[this.mechanism].bytes) throw new SaslAuthError(BAD_CREDENTIALS);
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientKey = xor(proof, hmac(this.mechanism, cred.storedKey, authMessage));
    if (!crypto.timingSafeEqual(hash(this.mechanism, clientKey), cred.storedKey)) throw new SaslAuthError(BAD_CREDENTIALS);
    return `v=${hmac(this.mechanism, cred.serverKey, authMessage).toString('base64')}`;
  }
}

/** Client side of one SCRAM exchange (how a node authenticates to its peers). */
export class ScramClient {
  private clientFirstBare = '';
  private expectedServerSignature: Buffer | null = null;

  constructor(
    private readonly mechanism: ScramMechanism,
    private readonly username: string,
    private readonly password: string,
    private readonly clientNonce: string = scramNonce(),
  ) {}

  /** The client-first message. */
  first(): Buffer {
    this.clientFirstBare = `n=${encodeSaslName(this.username)},r=${this.clientNonce}`;
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  /** The client-final message for the server-first message; throws SaslAuthError when it is unacceptable. */
  final(serverFirstToken: Buffer): Buffer {
    const serverFirst = utf8(serverFirstToken, 'server-first message');
    const attrs = new Map(attributes(serverFirst, 'server-first message'));
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce || !nonce.startsWith(this.clientNonce) || nonce === this.clientNonce) throw new SaslAuthError('Invalid SCRAM server-first message: bad nonce');
    if (!salt || !Number.isInteger(iterations) || iterations < MIN_SCRAM_ITERATIONS) throw new SaslAuthError('Invalid SCRAM server-first message: bad salt or iteration count');
    const salted = saltedPassword(this.mechanism, this.password, Buffer.from(salt, 'base64'), iterations);
    const withoutProof = `c=${Buffer.from('n,,').toString('base64')},r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${serverFirst},${withoutProof}`;
    const clientKey = hmac(this.mechanism, salted, 'Client Key');
    const signature = hmac(this.mechanism, hash(this.mechanism, clientKey), authMessage);
    this.expectedServerSignature = hmac(this.mechanism, hmac(this.mechanism, salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${xor(clientKey, signature).toString('base64')}`, 'utf8');
  }

  /** Checks the server-final message: the server proves it knows the credential too. */
  verify(serverFinalToken: Buffer): void {
    const text = utf8(serverFinalToken, 'server-final message');
    const attrs = new Map(attributes(text, 'server-final message'));
    if (attrs.has('e')) throw new SaslAuthError(`SCRAM authentication failed: ${attrs.get('e')}`);
    const v = Buffer.from(attrs.get('v') ?? '', 'base64');
    const expected = this.expectedServerSignature;
    if (!expected || v.length !== expected.length || !crypto.timingSafeEqual(v, expected)) throw new SaslAuthError('SCRAM server signature does not match: the server does not know the credential');
  }
}
