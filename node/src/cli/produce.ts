/**
 * `vonnegut produce TOPIC`: one record per input line (stdin, or --file), in batches, through the
 * native client to the head of the topic's chain. With --key-delimiter, the text before the first
 * delimiter is the key. By default one batch is in flight, so records land in input order; more
 * (--concurrency) is faster but batches may be appended out of order.
 */
import fs from 'node:fs';
import readline from 'node:readline';
import { Command, Option } from 'commander';
import type { RecordInput } from '../protocol/record-batch.ts';
import { clientFrom, intFlag, progressBar, runCommand, withClientOptions, type ClientFlags } from './common.ts';

/** Records per Produce request unless --batch-size says otherwise. */
export const DEFAULT_BATCH_RECORDS = 1000;
/** Bytes per Produce request at most (a batch is sent early when its lines reach this). */
const MAX_BATCH_BYTES = 1024 * 1024;

interface ProduceFlags extends ClientFlags {
  file?: string;
  keyDelimiter?: string;
  partition?: string;
  batchSize?: string;
  concurrency?: string;
  acks: string;
  compression: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  progress?: boolean;
}

/** The `produce` subcommand. */
export function produceCommand(): Command {
  const cmd = new Command('produce')
    .description('write lines from stdin (or --file) as records')
    .argument('<topic>')
    .option('-f, --file <path>', 'read lines from this file instead of stdin')
    .option('-K, --key-delimiter <s>', 'split each line into key and value at the first <s>')
    .option('-p, --partition <n>', 'partition to write (default 0)')
    .option('--batch-size <n>', `records per request (default ${DEFAULT_BATCH_RECORDS})`)
    .option('--concurrency <n>', 'requests in flight (default 1, which keeps input order)')
    .addOption(new Option('--acks <n>', 'acknowledgement: -1 committed at the tail, 1 head only, 0 none').choices(['-1', '0', '1']).default('-1'))
    .addOption(new Option('--compression <codec>', 'batch compression').choices(['none', 'gzip', 'snappy', 'lz4', 'zstd']).default('none'))
    .option('--progress', 'show a progress bar even when stderr is not a terminal');
  return withClientOptions(cmd).action((topic: string, flags: ProduceFlags) => runCommand(() => produce(topic, flags)));
}

async function produce(topic: string, flags: ProduceFlags): Promise<void> {
  const partition = intFlag(flags.partition, '--partition') ?? 0;
  const batchSize = intFlag(flags.batchSize, '--batch-size', 1) ?? DEFAULT_BATCH_RECORDS;
  const concurrency = intFlag(flags.concurrency, '--concurrency', 1) ?? 1;
  const acks = Number(flags.acks) as -1 | 0 | 1;
  const input = flags.file ? fs.createReadStream(flags.file) : process.stdin;
  const totalBytes = flags.file ? fs.statSync(flags.file).size : 0;
  // Without a known size (stdin) the bar counts records against a total that grows with the input.
  const bar = progressBar(flags.file ? 'bytes' : 'records', totalBytes, flags.progress);
  const client = await clientFrom(flags);
  const inFlight = new Set<Promise<void>>();
  let readBytes = 0;
  let sent = 0;
  let first = -1;
  let last = -1;
  let failure: unknown;
  const send = async (records: RecordInput[]) => {
    const { baseOffset } = await client.produce(topic, records, { partition, acks, compression: flags.compression });
    if (first < 0 || baseOffset < first) first = baseOffset;
    last = Math.max(last, baseOffset + records.length - 1);
    sent += records.length;
    bar.update(flags.file ? readBytes : sent, flags.file ? undefined : Math.max(sent, 1));
  };
  const dispatch = async (records: RecordInput[]) => {
    const p = send(records).catch((err: unknown) => void (failure ??= err));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure;
  };
  try {
    let batch: RecordInput[] = [];
    let batchBytes = 0;
    for await (const line of readline.createInterface({ input, crlfDelay: Infinity })) {
      readBytes += Buffer.byteLength(line) + 1;
      batch.push(toRecord(line, flags.keyDelimiter));
      batchBytes += line.length;
      if (batch.length >= batchSize || batchBytes >= MAX_BATCH_BYTES) {
        await dispatch(batch);
        batch = [];
        batchBytes = 0;
      }
    }
    if (batch.length > 0) await dispatch(batch);
    await Promise.all(inFlight);
    if (failure) throw failure;
    bar.stop();
    const where = acks === 0 ? '' : sent > 0 ? ` at offsets ${first}..${last}` : '';
    console.error(`produced ${sent} records to ${topic}-${partition}${where}`);
  } finally {
    bar.stop();
    await client.close();
  }
}

function toRecord(line: string, delimiter: string | undefined): RecordInput {
  if (delimiter === undefined) return { value: line };
  const at = line.indexOf(delimiter);
  return at < 0 ? { key: null, value: line } : { key: line.slice(0, at), value: line.slice(at + delimiter.length) };
}
