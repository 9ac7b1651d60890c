/**
 * TLS material from PEM files: the listener's certificate and key, and the CA bundle this node trusts
 * when it dials its peers. The files are watched and re-read when they change (cert-manager and
 * Kubernetes rotate them in place); a new pair is tried with tls.createSecureContext first, and one that
 * does not load (a half-written file, a key that does not match) keeps the previous material and logs
 * an error. Key material never appears in a log line or an error message.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import tls from 'node:tls';
import type { Logger } from '../logging.ts';
import { watchFiles } from './file-watch.ts';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** CA bundle for verifying peers on node-to-node connections (the system's roots when absent). */
  caFile?: string;
}

export interface TlsMaterialState {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
}

function readPem(kind: string, file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read TLS ${kind} file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads and checks the files: throws (naming the files, not their content) when they do not form a usable context. */
export function loadTlsMaterial(files: TlsFiles): TlsMaterialState {
  const state = { cert: readPem('certificate', files.certFile), key: readPem('key', files.keyFile), ca: files.caFile ? readPem('CA', files.caFile) : undefined };
  try {
    tls.createSecureContext({ cert: state.cert, key: state.key, ...(state.ca ? { ca: state.ca } : {}) });
  } catch (err) {
    // OpenSSL's messages name the failing step ("key values mismatch"), never the bytes.
    throw new Error(`TLS certificate ${files.certFile} and key ${files.keyFile} do not load: ${(err as Error).message}`);
  }
  return state;
}

/** The node's TLS material, kept current as the files change. */
export class TlsMaterial {
  private state: TlsMaterialState;
  private readonly listeners: ((state: TlsMaterialState) => void)[] = [];
  private readonly stopWatching: () => void;

  /** Loads the files (throws when unusable) and starts watching them. */
  constructor(private readonly files: TlsFiles, private readonly log: Logger) {
    this.state = loadTlsMaterial(files);
    const paths = [files.certFile, files.keyFile, ...(files.caFile ? [files.caFile] : [])];
    this.stopWatching = watchFiles(paths, () => this.reload());
  }

  /** The material as last loaded successfully. */
  get current(): TlsMaterialState {
    return this.state;
  }

  /** Options for tls.createServer / setSecureContext. */
  serverContext(): tls.SecureContextOptions {
    return { cert: this.state.cert, key: this.state.key };
  }

  /** Called with the new material after every successful reload. */
  onReload(listener: (state: TlsMaterialState) => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads the files now (the watcher calls this on change). */
  reload(): void {
    let next: TlsMaterialState;
    try {
      next = loadTlsMaterial(this.files);
    } catch (err) {
      this.log.error('TLS files not reloaded; keeping the previous certificate', { error: (err as Error).message });
      return;
    }
    if (next.cert.equals(this.state.cert) && next.key.equals(this.state.key) && (next.ca?.equals(this.state.ca ?? Buffer.alloc(0)) ?? !this.state.ca)) return;
    this.state = next;
    const fingerprint = new crypto.X509Certificate(next.cert).fingerprint256;
    this.log.info('TLS certificate reloaded', { certFile: this.files.certFile, fingerprint256: fingerprint });
    for (const l of this.listeners) l(next);
  }

  /** Stops watching the files. */
  close(): void {
    this.stopWatching();
  }
}
