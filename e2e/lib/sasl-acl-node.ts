/** One real node process behind SASL_PLAINTEXT with a users file and an ACL file, `User:admin` a super user. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AclEntry } from '../../node/src/security/acl.ts';
import { startNodeProcess, type NodeProcess } from './node-process.ts';

export interface SaslAclNode {
  node: NodeProcess;
  /** Stops the node and removes its files. */
  destroy(): Promise<void>;
}

/** Starts the node in a fresh temp dir named after `prefix`, with `passwords` (user -> password) and `acls`. */
export async function startSaslAclNode(prefix: string, passwords: Record<string, string>, acls: AclEntry[]): Promise<SaslAclNode> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.writeFileSync(path.join(dir, 'users.json'), JSON.stringify({ users: Object.entries(passwords).map(([name, password]) => ({ name, password })) }));
  fs.writeFileSync(path.join(dir, 'acl.json'), JSON.stringify({ acls }));
  const node = await startNodeProcess({
    dataDir: path.join(dir, 'data'),
    args: ['--security-protocol', 'SASL_PLAINTEXT', '--sasl-users-file', path.join(dir, 'users.json'), '--acl-file', path.join(dir, 'acl.json'), '--super-users', 'User:admin'],
  });
  return {
    node,
    async destroy() {
      await node.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
