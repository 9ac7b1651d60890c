/** `vonnegut status`: a running node's chain view (role, members, high-water marks) from its admin API. */
import { Command, Option } from 'commander';
import { runCommand, UsageError } from './common.ts';
import type { StatusReport } from '../metrics/status-report.ts';
import type { Readiness } from '../metrics/admin-server.ts';

/** Where the node's admin API listens unless told otherwise (`serve --admin-port` default). */
export const DEFAULT_ADMIN = 'http://127.0.0.1:9644';
/** How long to wait for the admin API before giving up. */
const REQUEST_TIMEOUT_MS = 5000;
/** How often --wait asks /readyz. */
const WAIT_POLL_MS = 250;
/** How long --wait waits by default. */
export const DEFAULT_WAIT_SECONDS = 120;

/** The admin base URL from `--admin`: a URL, or host:port meaning http. */
export function adminUrl(value: string): URL {
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new UsageError(`--admin must be a URL or host:port, got ${JSON.stringify(value)}`);
  }
}

/** Reads `/v1/status` from a node's admin API. */
export async function fetchStatus(base: URL): Promise<StatusReport> {
  const url = new URL('/v1/status', base);
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  } catch (err) {
    // fetch reports only "fetch failed"; the reason (ECONNREFUSED, a timeout, a blocked port) is its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach the admin API at ${base.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok) throw new Error(`${url.href} answered HTTP ${res.status}`);
  return (await res.json()) as StatusReport;
}

/** Polls `/readyz` until the node is ready, or throws after `timeoutMs` with what is still not ready. */
export async function waitReady(base: URL, timeoutMs: number): Promise<void> {
  const url = new URL('/readyz', base);
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
      if (res.ok) return;
      const body = (await res.json()) as Readiness;
      last = Object.entries(body.checks).filter(([, c]) => !c.ok).map(([name, c]) => (c.detail ? `${name} (${c.detail})` : name)).join(', ');
    } catch (err) {
      // Not listening yet is what a just-started node looks like: keep asking.
      const cause = (err as { cause?: { code?: string } }).cause;
      last = `cannot reach ${base.origin}: ${cause?.code ?? (err as Error).message}`;
    }
    if (Date.now() >= deadline) throw new Error(`not ready after ${timeoutMs / 1000} s: ${last}`);
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
}

/** Lines of text columns padded to their widest cell. */
function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ').trimEnd());
}

/** The human-readable status: the chain view, then one row per partition. */
export function formatStatus(s: StatusReport): string {
  const head = table([
    ['node', `${s.nodeName} (id ${s.nodeId})${s.chain ? `, chain ${s.chain}` : ''}`],
    ['role', s.role],
    ['members', `${s.members.length > 0 ? s.members.join(' -> ') : '(none)'}  (${s.members.length} of ${s.replicas} replicas)`],
    ['writable', s.writable ? 'yes' : 'no'],
    ['epoch', String(s.epoch)],
    ...(s.draining ? [['draining', 'yes']] : []),
  ]);
  if (s.partitions.length === 0) return [...head, '', 'no partitions'].join('\n');
  const rows = s.partitions
    .slice()
    .sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1))
    .map((p) => [p.topic, String(p.partition), String(p.logStartOffset), String(p.logEndOffset), String(p.highWatermark), String(p.logEndOffset - p.highWatermark)]);
  return [...head, '', ...table([['TOPIC', 'PARTITION', 'LOG START', 'LOG END', 'HWM', 'UNCOMMITTED'], ...rows])].join('\n');
}

/** The `status` subcommand. */
export function statusCommand(): Command {
  return new Command('status')
    .description('show a running node\'s chain view: role, members, writability, epoch and offsets per partition')
    .addOption(new Option('--admin <url>', 'the node\'s admin API (URL or host:port)').env('VONNEGUT_ADMIN').default(DEFAULT_ADMIN))
    .option('--json', 'print the status as JSON')
    .option('--wait [seconds]', `first wait until the node is ready (/readyz), at most this long (default ${DEFAULT_WAIT_SECONDS}, or env VONNEGUT_WAIT_SECONDS)`)
    .action((flags: { admin: string; json?: boolean; wait?: boolean | string }) => runCommand(async () => {
      if (flags.wait !== undefined) {
        const seconds = Number(flags.wait === true ? process.env.VONNEGUT_WAIT_SECONDS ?? DEFAULT_WAIT_SECONDS : flags.wait);
        if (!(seconds > 0)) throw new UsageError(`--wait takes a number of seconds, got ${JSON.stringify(flags.wait)}`);
        await waitReady(adminUrl(flags.admin), seconds * 1000);
      }
      const report = await fetchStatus(adminUrl(flags.admin));
      console.log(flags.json ? JSON.stringify(report, null, 2) : formatStatus(report));
    }));
}
