/**
 * `vonnegut consume TOPIC`: reads one partition at the tail of its chain and prints one record per
 * line. It starts at the end unless --from-beginning or --offset says otherwise, and stops at the
 * high-water mark (everything committed when it got there) unless --follow, or after --max-messages.
 */
import fs from 'node:fs';
import { Command, Option } from 'commander';
import type { DecodedRecord } from '../protocol/record-batch.ts';
import { clientFrom, intFlag, NO_PROGRESS, progressBar, runCommand, withClientOptions, type ClientFlags } from './common.ts';

/** How long one Fetch waits at the tail for new records under --follow. */
const FOLLOW_WAIT_MS = 500;

export type OutputFormat = 'value' | 'key-value' | 'json';

interface ConsumeFlags extends ClientFlags {
  partition?: string;
  offset?: string;
  fromBeginning?: boolean;
  maxMessages?: string;
  follow?: boolean;
  format: OutputFormat;
  keyDelimiter: string;
  out?: string;
  progress?: boolean;
}

/** The `consume` subcommand. */
export function consumeCommand(): Command {
  const cmd = new Command('consume')
    .description('print records of one partition, one per line')
    .argument('<topic>')
    .option('-p, --partition <n>', 'partition to read (default 0)')
    .option('-o, --offset <n>', 'first offset to read')
    .option('--from-beginning', 'start at the first offset (default: at the end)')
    .option('-n, --max-messages <n>', 'stop after this many records')
    .option('--follow', 'keep waiting for new records instead of stopping at the end')
    .addOption(new Option('--format <format>', 'value, key-value or json (one object per line)').choices(['value', 'key-value', 'json']).default('value'))
    .option('-K, --key-delimiter <s>', 'separates key and value with --format key-value', '\t')
    .option('--out <file>', 'write records to this file (with a progress bar) instead of stdout')
    .option('--progress', 'show a progress bar even when stderr is not a terminal');
  return withClientOptions(cmd).action((topic: string, flags: ConsumeFlags) => runCommand(() => consume(topic, flags)));
}

/** One output line for a record. */
export function formatRecord(r: DecodedRecord, format: OutputFormat, keyDelimiter: string): string {
  if (format === 'value') return r.value?.toString('utf8') ?? '';
  if (format === 'key-value') return `${r.key?.toString('utf8') ?? ''}${keyDelimiter}${r.value?.toString('utf8') ?? ''}`;
  return JSON.stringify({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key?.toString('utf8') ?? null,
    value: r.value?.toString('utf8') ?? null,
    headers: Object.fromEntries(r.headers.map((h) => [h.key, h.value?.toString('utf8') ?? null])),
  });
}

async function consume(topic: string, flags: ConsumeFlags): Promise<void> {
  const partition = intFlag(flags.partition, '--partition') ?? 0;
  const max = intFlag(flags.maxMessages, '--max-messages', 1) ?? Infinity;
  const client = await clientFrom(flags);
  const out = flags.out ? fs.createWriteStream(flags.out) : process.stdout;
  try {
    const { earliest, latest } = await client.offsets(topic, { partition });
    let offset = intFlag(flags.offset, '--offset') ?? (flags.fromBeginning ? earliest : latest);
    const stopAt = flags.follow ? Infinity : latest;
    const expected = Math.max(0, Math.min(latest, offset + max) - offset);
    // The bar is for --out: on stdout it would mix with the records.
    const bar = flags.out ? progressBar('records', expected, flags.progress) : NO_PROGRESS;
    const start = offset;
    let count = 0;
    while (count < max && offset < stopAt) {
      const res = await client.fetch(topic, { partition, offset, ...(flags.follow ? { maxWaitMs: FOLLOW_WAIT_MS } : {}) });
      const lines: string[] = [];
      for (const r of res.records) {
        if (count >= max || r.offset >= stopAt) break;
        lines.push(formatRecord(r, flags.format, flags.keyDelimiter));
        count++;
        offset = r.offset + 1;
      }
      if (lines.length > 0 && !out.write(`${lines.join('\n')}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
      bar.update(offset - start);
      if (res.records.length === 0) {
        offset = Math.max(offset, res.nextOffset);
        // Nothing more is committed: done, unless following (the Fetch itself waited at the tail).
        if (!flags.follow && offset >= res.highWaterMark) break;
      }
    }
    bar.stop();
    if (flags.out) console.error(`consumed ${count} records from ${topic}-${partition} into ${flags.out}`);
  } finally {
    if (out !== process.stdout) await new Promise<void>((r) => out.end(() => r()));
    await client.close();
  }
}
