/**
 * The SASL users file, `{"users":[{"name":"alice","password":"..."}]}` (a Kubernetes Secret key mounted
 * as a file), turned into what the server needs to check logins: per user and SCRAM mechanism a
 * credential with its own random salt, derived once at load (RFC 5802 StoredKey/ServerKey, never the
 * password). PLAIN logins are checked against the SCRAM-SHA-256 credential. The only password kept in
 * memory is the inter-broker user's, which this node itself sends to its peers.
 *
 * Errors name the file and the problem, never its content: JSON.parse's own message quotes the input.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from '../logging.ts';
import { watchFiles } from './file-watch.ts';
import { MIN_SCRAM_ITERATIONS, scramCredential, verifyScramPassword, type ScramCredential, type ScramMechanism } from './sasl/scram.ts';

export interface UserCredentials {
  'SCRAM-SHA-256': ScramCredential;
  'SCRAM-SHA-512': ScramCredential;
}

/** The largest users file accepted; a bigger one is a mistake, not a user list. */
const MAX_USERS_FILE_BYTES = 1024 * 1024;

/** An immutable snapshot of one users file. */
export class UserTable {
  private constructor(
    private readonly users: ReadonlyMap<string, UserCredentials>,
    /** The inter-broker user's password, when asked for at load. */
    readonly interBrokerPassword: string | undefined,
  ) {}

  /** Parses a users file's text; throws an Error that quotes none of it. */
  static parse(text: string, source: string, interBrokerUser?: string, iterations = MIN_SCRAM_ITERATIONS): UserTable {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new Error(`users file ${source} is not valid JSON`);
    }
    const list = (doc as { users?: unknown } | null)?.users;
    if (!Array.isArray(list)) throw new Error(`users file ${source} must be {"users":[{"name":...,"password":...}]}`);
    const users = new Map<string, UserCredentials>();
    let interBrokerPassword: string | undefined;
    list.forEach((u: unknown, i) => {
      const { name, password } = (u ?? {}) as { name?: unknown; password?: unknown };
      if (typeof name !== 'string' || name === '' || typeof password !== 'string' || password === '') {
        throw new Error(`users file ${source}: entry ${i} needs a non-empty "name" and "password"`);
      }
      if (users.has(name)) throw new Error(`users file ${source}: user ${JSON.stringify(name)} appears twice`);
      users.set(name, {
        'SCRAM-SHA-256': scramCredential('SCRAM-SHA-256', password, iterations),
        'SCRAM-SHA-512': scramCredential('SCRAM-SHA-512', password, iterations),
      });
      if (name === interBrokerUser) interBrokerPassword = password;
    });
    return new UserTable(users, interBrokerPassword);
  }

  /** Reads and parses a users file. */
  static load(file: string, interBrokerUser?: string): UserTable {
    let text: string;
    try {
      const stat = fs.statSync(file);
      if (stat.size > MAX_USERS_FILE_BYTES) throw new Error(`larger than ${MAX_USERS_FILE_BYTES} bytes`);
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read users file ${file}: ${(err as Error).message}`);
    }
    return UserTable.parse(text, file, interBrokerUser);
  }

  /** Whether the user exists. */
  has(name: string): boolean {
    return this.users.has(name);
  }

  /** How many users the file holds. */
  get size(): number {
    return this.users.size;
  }

  /** A user's credential for a SCRAM mechanism. */
  scram(mechanism: ScramMechanism, name: string): ScramCredential | undefined {
    return this.users.get(name)?.[mechanism];
  }

  /** Checks a PLAIN login; unknown users cost the same derivation as known ones. */
  verifyPlain(name: string, password: string): boolean {
    const cred = this.users.get(name)?.['SCRAM-SHA-256'] ?? UNKNOWN_USER;
    const ok = verifyScramPassword('SCRAM-SHA-256', cred, password);
    return ok && cred !== UNKNOWN_USER;
  }
}

/** A credential no password matches, so a login as an unknown user takes as long as a wrong password. */
const UNKNOWN_USER: ScramCredential = scramCredential('SCRAM-SHA-256', crypto.randomBytes(32).toString('base64'));

/** The users file, re-read when it changes; a broken new version keeps the old users and logs why. */
export class UserStore {
  private table: UserTable;
  private readonly stopWatching: () => void;

  /** Loads the file (throws when it is unusable, or lacks the inter-broker user) and starts watching it. */
  constructor(private readonly file: string, private readonly interBrokerUser: string | undefined, private readonly log: Logger) {
    this.table = this.read();
    this.stopWatching = watchFiles([file], () => this.reload());
  }

  /** The users as last loaded successfully. */
  get current(): UserTable {
    return this.table;
  }

  /** Re-reads the file now (the watcher calls this on change). */
  reload(): void {
    try {
      this.table = this.read();
      this.log.info('users file reloaded', { file: this.file, users: this.table.size });
    } catch (err) {
      this.log.error('users file not reloaded; keeping the previous users', { file: this.file, error: (err as Error).message });
    }
  }

  private read(): UserTable {
    const table = UserTable.load(this.file, this.interBrokerUser);
    if (this.interBrokerUser !== undefined && !table.has(this.interBrokerUser)) {
      throw new Error(`users file ${this.file} has no entry for the inter-broker user ${JSON.stringify(this.interBrokerUser)}`);
    }
    return table;
  }

  /** Stops watching the file. */
  close(): void {
    this.stopWatching();
  }
}
