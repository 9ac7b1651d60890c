/**
 * The ACL file on disk: loaded at startup (a bad file is a startup error) and re-read when it changes,
 * so ACLs change without a restart. A change that does not parse keeps the ACLs in force and logs why.
 *
 * Changes are found by polling the path's stat, not with inotify: a Kubernetes Secret or ConfigMap
 * volume replaces the file by swapping a symlink, which an inotify watch on the old file misses. The stat
 * compared against is taken before the file is read, so a change racing a read is seen on the next poll.
 */
import fs from 'node:fs';
import type { Logger } from '../logging.ts';
import { AclAuthorizer, parseAclFile, AclFileError, type Access, type Authorizer, type ResourceType } from './acl.ts';

/** How often the ACL file's stat is checked. */
export const ACL_FILE_POLL_MS = 1000;

/** Reads and parses the ACL file; throws AclFileError (or the read error) with the path in the message. */
export function loadAclFile(file: string, superUsers: readonly string[]): AclAuthorizer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new AclFileError(`cannot read ACL file ${file}: ${(err as Error).message}`);
  }
  try {
    return new AclAuthorizer(parseAclFile(text), superUsers);
  } catch (err) {
    throw new AclFileError(`ACL file ${file}: ${(err as Error).message}`);
  }
}

/** An authorizer that follows its file: every decision uses the last version that parsed. */
export class WatchedAclFile implements Authorizer {
  readonly enabled = true;
  private current: AclAuthorizer;
  private seen: string;
  private readonly timer: NodeJS.Timeout;
  private polling = false;

  constructor(
    private readonly file: string,
    private readonly superUsers: readonly string[],
    private readonly log: Logger,
    pollMs = ACL_FILE_POLL_MS,
  ) {
    this.seen = statKey(file);
    this.current = loadAclFile(file, superUsers);
    this.timer = setInterval(() => void this.poll(), pollMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const key = await fs.promises.stat(this.file).then(keyOf, () => 'missing');
      if (key !== this.seen) {
        this.seen = key;
        this.reload();
      }
    } finally {
      this.polling = false;
    }
  }

  /** The entries of the version in force. */
  get authorizer(): AclAuthorizer {
    return this.current;
  }

  allows(principal: string, access: Access): boolean {
    return this.current.allows(principal, access);
  }

  allowsAny(principal: string, operation: Access['operation'], resourceType: ResourceType): boolean {
    return this.current.allowsAny(principal, operation, resourceType);
  }

  /** Re-reads the file now; keeps the ACLs in force when the new file is unreadable or invalid. */
  reload(): void {
    try {
      this.current = loadAclFile(this.file, this.superUsers);
      this.log.info('ACL file reloaded', { file: this.file });
    } catch (err) {
      this.log.error('ACL file change rejected; the previous ACLs stay in force', { file: this.file, error: (err as Error).message });
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

/** What identifies one version of the file: a rename gives a new inode, a rewrite a new mtime or size. */
function keyOf(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

function statKey(file: string): string {
  try {
    return keyOf(fs.statSync(file));
  } catch {
    return 'missing';
  }
}
