/**
 * SCRAM credentials made through AlterUserScramCredentials (KIP-554), the pure part: Kafka's validation
 * of one request, the records they are stored as, and the credentials every node holds.
 *
 * Storage: one record per user and mechanism in the cluster's metadata log (the placement topic, as the
 * ACLs of security/acl-bindings.ts), key `scram:<mechanism>:<user>` and value the stored credential as
 * JSON (salt, iterations, StoredKey, ServerKey of RFC 5802; never the salted password), a tombstone when
 * deleted. Kafka in KRaft mode keeps them the same way (UserScramCredentialRecord in `__cluster_metadata`).
 *
 * Logins: a name in the users file (--sasl-users-file) is that file's user, whatever this store holds;
 * any other name logs in with this store's credential (security/authenticator.ts).
 */
import crypto from 'node:crypto';
import { encodeRecordBatch } from '../protocol/record-batch.ts';
import { ErrorCode, type ErrorCodeName } from '../protocol/error-codes.ts';
import { ScramMechanismCode, type AlterUserScramCredentialsRequest, type AlterUserScramCredentialsResult, type ScramCredentialInfo } from '../protocol/apis/scram-credentials.ts';
import type { ScramCredential, ScramMechanism } from './sasl/scram.ts';

/** The key prefix of SCRAM credential records in the metadata log. */
export const SCRAM_KEY_PREFIX = 'scram:';

/** Kafka's bounds on iterations (ScramMechanism.minIterations, and the 16384 cap of AlterUserScramCredentials). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

const MECHANISM_OF: Partial<Record<number, ScramMechanism>> = {
  [ScramMechanismCode.SCRAM_SHA_256]: 'SCRAM-SHA-256', [ScramMechanismCode.SCRAM_SHA_512]: 'SCRAM-SHA-512',
};
const CODE_OF: Record<ScramMechanism, number> = { 'SCRAM-SHA-256': ScramMechanismCode.SCRAM_SHA_256, 'SCRAM-SHA-512': ScramMechanismCode.SCRAM_SHA_512 };
const HASH: Record<ScramMechanism, 'sha256' | 'sha512'> = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' };

interface StoredCredential {
  user: string;
  mechanism: ScramMechanism;
  iterations: number;
  salt: string;
  storedKey: string;
  serverKey: string;
}

/** The record key of one user's credential for one mechanism. */
export function scramKey(user: string, mechanism: ScramMechanism): string {
  return `${SCRAM_KEY_PREFIX}${mechanism}:${user}`;
}

/** The stored credential from what the client computed (RFC 5802: StoredKey = H(HMAC(salted, "Client Key"))). */
function storedOf(user: string, mechanism: ScramMechanism, iterations: number, salt: Buffer, salted: Buffer): StoredCredential {
  const h = HASH[mechanism];
  const clientKey = crypto.createHmac(h, salted).update('Client Key').digest();
  return {
    user, mechanism, iterations, salt: salt.toString('base64'),
    storedKey: crypto.createHash(h).update(clientKey).digest('base64'),
    serverKey: crypto.createHmac(h, salted).update('Server Key').digest('base64'),
  };
}

/** What one AlterUserScramCredentials request writes, and its per-user answers. */
export interface ScramAlterPlan {
  records: Buffer | null;
  results: AlterUserScramCredentialsResult[];
}

const fail = (user: string, name: ErrorCodeName, message: string): AlterUserScramCredentialsResult => ({ user, errorCode: ErrorCode[name].code, errorMessage: message });

/** The credentials this node knows, as the metadata log has them. */
export class ScramCredentials {
  private readonly creds = new Map<string, StoredCredential>();

  /** Applies one metadata-log record with a `scram:` key. */
  apply(key: string, value: Buffer | null): void {
    if (value === null) this.creds.delete(key);
    else this.creds.set(key, JSON.parse(value.toString()) as StoredCredential);
  }

  /** A user's credential for a mechanism, as the SCRAM server needs it. */
  lookup(mechanism: ScramMechanism, user: string): ScramCredential | undefined {
    const c = this.creds.get(scramKey(user, mechanism));
    if (!c) return undefined;
    return { iterations: c.iterations, salt: Buffer.from(c.salt, 'base64'), storedKey: Buffer.from(c.storedKey, 'base64'), serverKey: Buffer.from(c.serverKey, 'base64') };
  }

  /** Every user with a credential, and its mechanisms and iterations (never salts or keys). */
  describe(): Map<string, ScramCredentialInfo[]> {
    const out = new Map<string, ScramCredentialInfo[]>();
    for (const c of this.creds.values()) {
      const list = out.get(c.user) ?? [];
      list.push({ mechanism: CODE_OF[c.mechanism], iterations: c.iterations });
      out.set(c.user, list);
    }
    return out;
  }

  /**
   * Kafka's checks of one request (ZkAdminManager / ScramControlManager): a user named twice in the
   * request fails as DUPLICATE_RESOURCE, an empty name or iterations outside 4096..16384 as
   * UNACCEPTABLE_CREDENTIAL, an unknown mechanism as UNSUPPORTED_SASL_MECHANISM, deleting a credential
   * that does not exist as RESOURCE_NOT_FOUND. A user's alterations apply all together or not at all.
   */
  plan(req: AlterUserScramCredentialsRequest): ScramAlterPlan {
    const names = [...req.deletions.map((d) => d.name), ...req.upsertions.map((u) => u.name)];
    const count = new Map<string, number>();
    for (const n of names) count.set(n, (count.get(n) ?? 0) + 1);
    const failed = new Map<string, AlterUserScramCredentialsResult>();
    const failOnce = (r: AlterUserScramCredentialsResult): void => void (failed.has(r.user) || failed.set(r.user, r));
    for (const [n, c] of count) if (c > 1) failOnce(fail(n, 'DUPLICATE_RESOURCE', 'A user credential cannot be altered twice in the same request'));
    for (const n of names) if (n === '') failOnce(fail(n, 'UNACCEPTABLE_CREDENTIAL', 'Username must not be empty'));
    for (const d of req.deletions) {
      const m = MECHANISM_OF[d.mechanism];
      if (!m) failOnce(fail(d.name, 'UNSUPPORTED_SASL_MECHANISM', `Unknown SCRAM mechanism ${d.mechanism}`));
      else if (!this.creds.has(scramKey(d.name, m))) failOnce(fail(d.name, 'RESOURCE_NOT_FOUND', `Attempt to delete a user credential that does not exist`));
    }
    for (const u of req.upsertions) {
      const m = MECHANISM_OF[u.mechanism];
      if (!m) failOnce(fail(u.name, 'UNSUPPORTED_SASL_MECHANISM', `Unknown SCRAM mechanism ${u.mechanism}`));
      else if (u.iterations < SCRAM_MIN_ITERATIONS) failOnce(fail(u.name, 'UNACCEPTABLE_CREDENTIAL', `Too few iterations: ${u.iterations} < ${SCRAM_MIN_ITERATIONS}`));
      else if (u.iterations > SCRAM_MAX_ITERATIONS) failOnce(fail(u.name, 'UNACCEPTABLE_CREDENTIAL', `Too many iterations: ${u.iterations} > ${SCRAM_MAX_ITERATIONS}`));
      else if (u.salt.length === 0 || u.saltedPassword.length === 0) failOnce(fail(u.name, 'UNACCEPTABLE_CREDENTIAL', 'Salt and salted password must not be empty'));
    }
    const records: { key: string; value: string | null }[] = [];
    for (const d of req.deletions) if (!failed.has(d.name)) records.push({ key: scramKey(d.name, MECHANISM_OF[d.mechanism]!), value: null });
    for (const u of req.upsertions) {
      if (failed.has(u.name)) continue;
      const m = MECHANISM_OF[u.mechanism]!;
      records.push({ key: scramKey(u.name, m), value: JSON.stringify(storedOf(u.name, m, u.iterations, u.salt, u.saltedPassword)) });
    }
    const seen = new Set<string>();
    const results: AlterUserScramCredentialsResult[] = [];
    for (const n of names) {
      if (seen.has(n)) continue;
      seen.add(n);
      results.push(failed.get(n) ?? { user: n, errorCode: 0, errorMessage: null });
    }
    return { records: records.length > 0 ? encodeRecordBatch({ records }) : null, results };
  }
}
