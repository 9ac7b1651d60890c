/**
 * Fencing of the link messages that change a topic's settings: Config and LogStart carry the link's
 * epoch like Append does, and a node refuses them from any other epoch (a deposed head's leftovers must
 * not change a topic's retention or move its log start). A real ChainNode on real logs in a temp dir;
 * the link's socket side is a recording FrameSource (the node's half of the link is what is tested).
 */
import test from 'ava';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ChainNode } from '../../src/chain/chain-node.ts';
import { HighWatermarks } from '../../src/chain/high-watermark.ts';
import { decodeLinkMessage, encodeLinkMessage, type LinkMessage } from '../../src/chain/link-protocol.ts';
import { ErrorCode } from '../../src/protocol/error-codes.ts';
import { encodeRecordBatch } from '../../src/protocol/record-batch.ts';
import { LogManager } from '../../src/storage/log-manager.ts';
import { silentLogger } from '../../src/logging.ts';
import type { FrameSource } from '../../src/protocol/frame.ts';
import { randomTopicId } from '../../src/protocol/uuid.ts';

const EPOCH = 7;
const TOPIC = 'fenced';

async function setup(t: import('ava').ExecutionContext) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-link-epochs-'));
  const marks = HighWatermarks.load(dataDir);
  const logs = await LogManager.open({ dataDir, committedOffset: (topic, p) => marks.get(topic, p) });
  const node = new ChainNode({ self: 'b', advertised: { host: '127.0.0.1', port: 2 }, replicas: 2, dataDir, logs, marks, logger: silentLogger, coordinated: { minInsync: 2 } });
  t.teardown(async () => {
    await node.stop();
    logs.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  node.applyConfig(EPOCH, [{ name: 'a', host: '127.0.0.1', port: 1 }, { name: 'b', host: '127.0.0.1', port: 2 }]);
  return { node, logs };
}

/** Opens a link from the predecessor `a` at EPOCH, sends `messages`, and returns what the node wrote back. */
function link(node: ChainNode, messages: LinkMessage[]): LinkMessage[] {
  const hello = { epoch: EPOCH, from: 'a', to: 'b' };
  if (node.checkHello(hello)) throw new Error('hello refused');
  const written: LinkMessage[] = [];
  let deliver: (frame: Buffer) => void = () => {};
  const source: FrameSource = {
    socket: new net.Socket(),
    onFrame: (listener) => (deliver = listener),
    write: (payload) => written.push(decodeLinkMessage(payload)) > 0,
  };
  node.acceptLink(hello, source);
  for (const m of messages) deliver(encodeLinkMessage(m));
  return written;
}

const refusals = (written: LinkMessage[]) => written.filter((m): m is Extract<LinkMessage, { type: 'error' }> => m.type === 'error');

test('a Config from an older epoch is refused with FENCED_LEADER_EPOCH; one at the link epoch is applied', async (t) => {
  const { node, logs } = await setup(t);
  link(node, [{ type: 'create', epoch: EPOCH, topic: TOPIC, partitionCount: 1, topicId: randomTopicId() }]);
  const stale = link(node, [{ type: 'config', epoch: EPOCH - 1, topic: TOPIC, configs: [{ name: 'retention.ms', value: '1' }] }]);
  t.deepEqual(refusals(stale).map((e) => e.errorCode), [ErrorCode.FENCED_LEADER_EPOCH.code]);
  t.deepEqual(logs.topicOverrides(TOPIC), {}, 'the stale config changed nothing');
  const current = link(node, [{ type: 'config', epoch: EPOCH, topic: TOPIC, configs: [{ name: 'retention.ms', value: '60000' }] }]);
  t.deepEqual(refusals(current), []);
  t.deepEqual(logs.topicOverrides(TOPIC), { 'retention.ms': '60000' });
});

test('a LogStart from an older epoch is refused with FENCED_LEADER_EPOCH; one at the link epoch moves the log start', async (t) => {
  const { node, logs } = await setup(t);
  const batches = encodeRecordBatch({ records: [{ value: 'x' }, { value: 'y' }, { value: 'z' }] });
  link(node, [{ type: 'append', epoch: EPOCH, topic: TOPIC, partition: 0, partitionCount: 1, batches }]);
  t.is(logs.partition(TOPIC, 0)!.logEndOffset, 3);
  const stale = link(node, [{ type: 'logStart', epoch: EPOCH - 1, topic: TOPIC, partition: 0, offset: 2 }]);
  t.deepEqual(refusals(stale).map((e) => e.errorCode), [ErrorCode.FENCED_LEADER_EPOCH.code]);
  t.is(logs.partition(TOPIC, 0)!.logStartOffset, 0, 'the stale log start move changed nothing');
  const current = link(node, [{ type: 'logStart', epoch: EPOCH, topic: TOPIC, partition: 0, offset: 2 }]);
  t.deepEqual(refusals(current), []);
  t.is(logs.partition(TOPIC, 0)!.logStartOffset, 2);
});
