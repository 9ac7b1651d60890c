/**
 * A topic name is never a path: names with separators, control characters, look-alike Unicode or
 * over-long ones are INVALID_TOPIC_EXCEPTION on every way a topic can come into being (CreateTopics,
 * Metadata auto-creation, Produce auto-creation, the embedded library), and the data directory and its
 * parent are byte-for-byte the same listing afterwards. The node's data dir sits in a parent of its own,
 * so nothing else on the machine writes next to it while the listing is compared.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { CHECKPOINT_FILE, SLOTS_FILE, SLOTS_INDEX_FILE } from '../node/src/chain/high-watermark.ts';
import { openLog, KafkaError } from '../node/src/index.ts';
import { ApiKey } from '../node/src/protocol/api-keys.ts';
import { decodeCreateTopicsResponse, encodeCreateTopicsRequest } from '../node/src/protocol/apis/create-topics.ts';
import { decodeMetadataResponse, encodeMetadataRequest } from '../node/src/protocol/apis/metadata.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { encodeRecordBatch } from '../node/src/protocol/record-batch.ts';
import { KafkaWire } from './lib/kafka-wire.ts';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';

const INVALID_TOPIC_EXCEPTION = ErrorCode.INVALID_TOPIC_EXCEPTION.code;

/** Each one must be refused; the label is what a failure message shows. */
const BAD_NAMES: [string, string][] = [
  ['.', 'dot'],
  ['..', 'dot dot'],
  ['', 'empty'],
  ['a/b', 'slash'],
  ['../escape', 'parent escape'],
  ['/etc/passwd', 'absolute path'],
  ['a\\b', 'backslash'],
  ['..\\..\\x', 'backslash escape'],
  ['nul\u0000byte', 'NUL'],
  ['ok\u0000/../../x', 'NUL then separators'],
  ['line\nbreak', 'newline'],
  ['trailing-newline\n', 'trailing newline'],
  ['car\rriage', 'carriage return'],
  ['tab\there', 'tab'],
  ['del\u007fete', 'DEL'],
  ['bell\u0007', 'BEL'],
  ['esc\u001b[31m', 'ANSI escape'],
  ['x'.repeat(250), '250 characters'],
  ['y'.repeat(10_000), '10,000 characters'],
  ['a\u2215b', 'division slash U+2215'],
  ['a\u2044b', 'fraction slash U+2044'],
  ['a\uff0fb', 'fullwidth solidus U+FF0F'],
  ['a\uff3cb', 'fullwidth reverse solidus U+FF3C'],
  ['\u2024\u2024', 'one-dot leaders U+2024 (looks like ..)'],
  ['\u2025', 'two-dot leader U+2025'],
  ['\uff0e\uff0e', 'fullwidth full stops U+FF0E'],
  ['ord\u0435rs', 'Cyrillic e in orders'],
  ['\uff4frders', 'fullwidth o'],
  ['\u200borders', 'zero-width space'],
  ['orders\u202etxt.exe', 'right-to-left override'],
  ['caf\u00e9', 'Latin-1 letter'],
  ['caf\u0065\u0301', 'combining accent'],
  ['emoji-\u{1f600}', 'astral plane'],
  ['space name', 'space'],
  ['a:b', 'colon'],
  ['*', 'asterisk'],
  ['%2e%2e%2f', 'percent-encoded ../'],
];

let parent: string;
let node: NodeProcess;
let wire: KafkaWire;

/**
 * The node's own high-water mark files change whatever the clients do: the checkpoint is rewritten every
 * second (temp file + rename), and the slots files take the baseline topic's committed offset when the
 * node gets to it, which on a loaded machine can be after the listing below was taken. Those names are
 * left out; everything else must stay the same.
 */
const REWRITTEN_ON_A_TIMER = new Set([CHECKPOINT_FILE, `${CHECKPOINT_FILE}.tmp`, SLOTS_FILE, SLOTS_INDEX_FILE]);

/** Every path under `root` as raw bytes (names are read as Buffers), with file sizes. */
function walk(root: string): string[] {
  const out: string[] = [];
  const visit = (dir: Buffer, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' })) {
      if (REWRITTEN_ON_A_TIMER.has(e.name.toString())) continue;
      const full = Buffer.concat([dir, Buffer.from('/'), e.name]);
      const name = `${rel}/${e.name.toString('hex')}`;
      if (e.isDirectory()) {
        out.push(`${name}/`);
        visit(full, name);
      } else {
        out.push(`${name} ${fs.statSync(full).size}`);
      }
    }
  };
  visit(Buffer.from(root), '');
  return out.sort();
}

test.before(async () => {
  parent = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-names-'));
  node = await startNodeProcess({ dataDir: path.join(parent, 'data') });
  wire = await KafkaWire.connect(node.address);
  // One real topic, so the listing compared is not empty.
  const r = await wire.produce('names-baseline', 0, encodeRecordBatch({ records: [{ value: 'v' }] }), 1);
  if (r.errorCode !== 0) throw new Error(`baseline produce: ${r.errorCode}`);
});
test.after.always(async () => {
  wire?.close();
  await node?.destroy();
  if (parent) fs.rmSync(parent, { recursive: true, force: true });
});

async function createTopics(names: string[]): Promise<number[]> {
  const res = decodeCreateTopicsResponse(await wire.send(ApiKey.CreateTopics, 2, (w) => encodeCreateTopicsRequest(w, 2, {
    topics: names.map((name) => ({ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 5000, validateOnly: false,
  })), 2);
  return names.map((n) => res.topics.find((x) => x.name === n)!.errorCode);
}

async function metadataAutoCreate(names: string[]): Promise<number[]> {
  const res = decodeMetadataResponse(await wire.send(ApiKey.Metadata, 9, (w) => encodeMetadataRequest(w, 9, {
    topics: names.map((name) => ({ topicId: Buffer.alloc(16), name })),
    allowAutoTopicCreation: true,
    includeClusterAuthorizedOperations: false,
    includeTopicAuthorizedOperations: false,
  })), 9);
  return names.map((n) => res.topics.find((x) => x.name === n)!.errorCode);
}

test.serial('bad topic names are INVALID_TOPIC_EXCEPTION on CreateTopics, Metadata and Produce auto-creation, and the disk listing is unchanged', async (t) => {
  const before = walk(parent);
  t.true(before.some((p) => p.endsWith('/')), 'the baseline topic is in the listing');
  const names = BAD_NAMES.map(([n]) => n);
  const created = await createTopics(names);
  const described = await metadataAutoCreate(names);
  for (const [i, [name, label]] of BAD_NAMES.entries()) {
    t.is(created[i], INVALID_TOPIC_EXCEPTION, `CreateTopics ${label}`);
    t.is(described[i], INVALID_TOPIC_EXCEPTION, `Metadata auto-create ${label}`);
    const produced = await wire.produce(name, 0, encodeRecordBatch({ records: [{ value: label }] }), 1);
    t.is(produced.errorCode, INVALID_TOPIC_EXCEPTION, `Produce ${label}`);
    t.not((await wire.fetch(name, 0, 0)).errorCode, 0, `Fetch ${label}`);
  }
  t.deepEqual(walk(parent), before, 'the data dir and its parent list exactly as before');
  t.false(wire.isClosed, 'refusals are answers, not closed connections');
  t.notRegex(node.stderr, /request handler failed|unexpected error/);

  // The listing would have noticed: a valid name created the same way changes it.
  t.deepEqual(await createTopics(['names-control']), [0]);
  t.notDeepEqual(walk(parent), before);
});

test.serial('the embedded library refuses bad topic names with a typed error and touches nothing', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-names-lib-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const dataDir = path.join(dir, 'data');
  const log = await openLog({ dataDir });
  t.teardown(() => log.close());
  log.createTopic('lib-baseline');
  log.write('lib-baseline', ['v']);
  const before = walk(dir);
  for (const [name, label] of BAD_NAMES) {
    const err = t.throws(() => log.createTopic(name), { instanceOf: KafkaError }, `createTopic ${label}`);
    t.is(err?.codeName, 'INVALID_TOPIC_EXCEPTION', label);
    t.is(err?.code, INVALID_TOPIC_EXCEPTION, label);
    t.throws(() => log.write(name, ['x']), { instanceOf: KafkaError }, `write ${label}`);
  }
  t.deepEqual(walk(dir), before);
});
