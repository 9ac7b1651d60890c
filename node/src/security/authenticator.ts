/**
 * The server's SASL configuration: which mechanisms are on, and where their users come from. Starting
 * an exchange for a mechanism looks the users up at that moment, so a reloaded users file applies to
 * the next login without touching connections that are already authenticated.
 */
import crypto from 'node:crypto';
import type { SaslMechanism, SaslServerExchange } from './sasl/mechanism.ts';
import { PlainServer } from './sasl/plain.ts';
import { ScramServer, type ScramCredential, type ScramMechanism } from './sasl/scram.ts';
import type { UserTable } from './users.ts';

export class SaslAuthenticator {
  /** Per process: unknown users get the same made-up salt on every attempt. */
  private readonly fakeSaltKey = crypto.randomBytes(32);

  /**
   * Credentials from AlterUserScramCredentials (security/scram-store.ts), set once the node follows its
   * metadata log. The users file wins for the names it has; other names log in with these (SCRAM only).
   */
  dynamic: ((m: ScramMechanism, name: string) => ScramCredential | undefined) | null = null;

  constructor(readonly mechanisms: readonly SaslMechanism[], private readonly users: () => UserTable) {}

  /** A new server exchange for `mechanism`, or null when it is not enabled. */
  start(mechanism: string): SaslServerExchange | null {
    if (!(this.mechanisms as readonly string[]).includes(mechanism)) return null;
    const users = this.users();
    switch (mechanism as SaslMechanism) {
      case 'PLAIN':
        return new PlainServer((name, password) => users.verifyPlain(name, password));
      case 'SCRAM-SHA-256':
      case 'SCRAM-SHA-512': {
        const m = mechanism as 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
        return new ScramServer(m, (name) => (users.has(name) ? users.scram(m, name) : this.dynamic?.(m, name)), this.fakeSaltKey);
      }
    }
  }
}
