// HTTP client for the node's local admin API (see ./node-admin-api.ts).
import fs from 'node:fs';
import { ADMIN_PATHS, type NodeConfigUpdate, type NodeStatus } from './node-admin-api.ts';

/** The node answered with an unexpected status, or did not answer. */
export class NodeAdminError extends Error {
  constructor(readonly path: string, readonly status: number, detail: string) {
    super(`${path}: ${status === 0 ? 'unreachable' : `HTTP ${status}`} ${detail}`.trim());
    this.name = 'NodeAdminError';
  }
}

/** Per-request deadline: the node is on loopback, so anything slower means it is stuck. */
export const ADMIN_TIMEOUT_MS = 5000;

export class NodeAdminClient {
  /** `tokenFile`: where the node wrote its admin token (re-read per call: a node restart writes a new one). */
  constructor(private readonly baseUrl: string, private readonly tokenFile?: string) {}

  private headers(body: unknown): Record<string, string> {
    const h: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    if (this.tokenFile) {
      try {
        h.authorization = `Bearer ${fs.readFileSync(this.tokenFile, 'utf8').trim()}`;
      } catch {
        // Not written yet (the node is starting): the call fails with 401 and the next pass retries.
      }
    }
    return h;
  }

  private async call(method: string, path: string, expect: number, body?: unknown): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.baseUrl), {
        method,
        headers: this.headers(body),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(ADMIN_TIMEOUT_MS),
      });
    } catch (err) {
      throw new NodeAdminError(path, 0, err instanceof Error ? err.message : String(err));
    }
    if (res.status !== expect) throw new NodeAdminError(path, res.status, (await res.text()).slice(0, 200));
    return res;
  }

  /** GET /v1/status */
  async status(): Promise<NodeStatus> {
    return (await (await this.call('GET', ADMIN_PATHS.status, 200)).json()) as NodeStatus;
  }

  /** PUT /v1/config */
  async putConfig(update: NodeConfigUpdate): Promise<void> {
    await this.call('PUT', ADMIN_PATHS.config, 204, update);
  }

  /** POST /v1/drain */
  async drain(): Promise<void> {
    await this.call('POST', ADMIN_PATHS.drain, 202);
  }
}
