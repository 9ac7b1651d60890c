/**
 * The replication link's writer over a real loopback TCP connection: a turn's appends go out as few
 * Append messages (at most SHIP_GROUP_BYTES of batches each) that decode to the same bytes, and a batch
 * inside a recycled request frame stays held until the socket has written it (the frame is not handed
 * out again while queued), without being copied.
 */
import test from 'ava';
import net from 'node:net';
import { once } from 'node:events';
import { LinkWriter, SHIP_GROUP_BYTES } from '../../src/chain/link-writer.ts';
import { decodeLinkMessage, type LinkMessage } from '../../src/chain/link-protocol.ts';
import { FrameDecoder } from '../../src/protocol/frame.ts';
import { requestFramePool } from '../../src/protocol/frame-pool.ts';

/** A connected pair on 127.0.0.1: the writer's socket and every link message the other end decodes. */
async function pair(t: import('ava').ExecutionContext): Promise<{ socket: net.Socket; received: LinkMessage[]; until(n: number): Promise<void> }> {
  const received: LinkMessage[] = [];
  let waiting: { n: number; resolve: () => void } | null = null;
  const server = net.createServer((s) => {
    const decoder = new FrameDecoder();
    s.on('data', (chunk: Buffer) => {
      for (const f of decoder.push(chunk)) received.push(decodeLinkMessage(Buffer.from(f)));
      if (waiting && received.length >= waiting.n) waiting.resolve();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await once(socket, 'connect');
  t.teardown(() => {
    socket.destroy();
    server.close();
  });
  const until = (n: number): Promise<void> => received.length >= n ? Promise.resolve() : new Promise((resolve) => (waiting = { n, resolve }));
  return { socket, received, until };
}

test('a group of appended buffers leaves as the fewest Append messages of at most SHIP_GROUP_BYTES, bytes unchanged', async (t) => {
  const { socket, received, until } = await pair(t);
  const writer = new LinkWriter(socket);
  const parts = Array.from({ length: 9 }, (_, i) => Buffer.alloc(60_000 + i, i + 1));
  writer.appendGroups(3, 'topic', 2, 4, parts);
  writer.send({ type: 'ping' });
  const perMessage = Math.floor(SHIP_GROUP_BYTES / 60_010);
  const appends = Math.ceil(parts.length / perMessage);
  await until(appends + 1);
  t.is(received.length, appends + 1, 'one Append per full group, then the ping');
  const batches = received.filter((m): m is Extract<LinkMessage, { type: 'append' }> => m.type === 'append');
  for (const m of batches) {
    t.true(m.batches.length <= SHIP_GROUP_BYTES);
    t.like(m, { epoch: 3, topic: 'topic', partition: 2, partitionCount: 4 });
  }
  t.deepEqual(Buffer.concat(batches.map((m) => m.batches)), Buffer.concat(parts));
  t.is(received.at(-1)!.type, 'ping', 'order kept');
});

test('a batch in a recycled frame is held until written, then recycled; one no longer held is copied', async (t) => {
  const { socket, received, until } = await pair(t);
  const writer = new LinkWriter(socket);
  const frame = requestFramePool.take(40_000);
  frame.fill(7);
  const before = requestFramePool.outstanding;
  writer.append(1, 't', 0, 1, [frame.subarray(100)], frame.length - 100);
  requestFramePool.release(frame); // the request is done: only the writer holds it now
  t.is(requestFramePool.outstanding, before, 'still held while queued');
  await until(1);
  await new Promise((r) => setImmediate(r));
  t.is(requestFramePool.outstanding, before - 1, 'released once written');
  t.deepEqual((received[0] as Extract<LinkMessage, { type: 'append' }>).batches, Buffer.alloc(frame.length - 100, 7));

  // Released before shipping (the pool may hand it out again): the writer must ship a copy.
  const gone = requestFramePool.take(40_000);
  gone.fill(9);
  requestFramePool.release(gone);
  writer.append(1, 't', 0, 1, [gone], gone.length);
  requestFramePool.take(40_000).fill(1); // the same buffer, reused by another request
  await until(2);
  t.deepEqual((received[1] as Extract<LinkMessage, { type: 'append' }>).batches, Buffer.alloc(40_000, 9));
});
