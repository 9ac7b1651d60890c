/**
 * kcat (librdkafka's C consumer) as a fetch load generator that costs far less CPU per MiB than the
 * server it measures: it reads one partition from the beginning to its end (`-e`) and prints only each
 * record's offset, which this process counts. Its CPU comes from /proc/self/stat's children times once
 * it has exited; the server's from its /proc entry.
 *
 * The clock runs from spawn to exit, so kcat's start (metadata, offsets: some 40 ms) counts against the
 * server. Only the end-of-log wait is cut: `-e` exits at the partition's EOF, which librdkafka learns
 * from a Fetch at the high watermark, and the broker holds that one for fetch.wait.max.ms (500 ms by
 * default, more than the whole read of 256 MiB) because there is nothing to send. 10 ms changes nothing
 * else: a Fetch that finds data is answered at once whatever its wait.
 */
/** librdkafka's fetch.wait.max.ms for the bench (see above). */
const EOF_WAIT_MS = 10;
import { spawn, spawnSync } from 'node:child_process';
import { cpuSeconds, exitedChildrenCpuSeconds } from './server.ts';

export interface KcatConsumeResult {
  bytes: number;
  records: number;
  seconds: number;
  mibPerSec: number;
  cpuMsPerMiB: { server: number; client: number };
}

/** Whether kcat is installed. */
export function hasKcat(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0;
}

/**
 * Consumes `topic` partition 0 at `address` from offset 0 to its end; `bytes` is the log's size (what
 * the fetches move). Fails unless exactly `records` records, ending at offset records - 1, arrive.
 */
export async function kcatConsume(address: string, topic: string, records: number, bytes: number, serverPid: number | undefined): Promise<KcatConsumeResult> {
  const server0 = cpuSeconds(serverPid);
  const children0 = exitedChildrenCpuSeconds();
  const start = process.hrtime.bigint();
  const child = spawn('kcat', ['-C', '-b', address, '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-q', '-f', '%o\n', '-X', `fetch.wait.max.ms=${EOF_WAIT_MS}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let lines = 0;
  let tail = '';
  let stderr = '';
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (d: string) => {
    for (let i = d.indexOf('\n'); i >= 0; i = d.indexOf('\n', i + 1)) lines++;
    tail = (tail + d).slice(-64);
  });
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const mib = bytes / (1024 * 1024);
  const client = ((exitedChildrenCpuSeconds() - children0) * 1000) / mib;
  const server = ((cpuSeconds(serverPid) - server0) * 1000) / mib;
  const last = tail.trimEnd().split('\n').pop();
  if (code !== 0 || lines !== records || Number(last) !== records - 1) {
    throw new Error(`kcat read ${lines} records ending at ${last} (exit ${code}), expected ${records}:\n${stderr}`);
  }
  return { bytes, records, seconds, mibPerSec: mib / seconds, cpuMsPerMiB: { server, client } };
}
