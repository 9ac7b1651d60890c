import net from 'node:net';
import test from 'ava';
import { Connection } from '../../src/client/connection.ts';
import { ConnectionError, RequestTimeoutError } from '../../src/client/errors.ts';
import { FrameDecoder, encodeFrame } from '../../src/protocol/frame.ts';
import type { Reader } from '../../src/protocol/reader.ts';
import type { Writer } from '../../src/protocol/writer.ts';

/** A broker stand-in: answers each request with [correlation id, request body echoed], via `reply`. */
async function fakeBroker(reply: (frames: { id: number; body: Buffer }[], socket: net.Socket) => void) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    const d = new FrameDecoder();
    s.on('data', (c: Buffer) => {
      // Request header v1: api_key, api_version, correlation_id, client_id (int16 length + bytes).
      const frames = d.push(c).map((f) => ({ id: f.readInt32BE(4), body: f.subarray(10 + f.readInt16BE(8)) }));
      if (frames.length > 0) reply(frames, s);
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => { for (const s of sockets) s.destroy(); server.close(); } };
}

const answer = (id: number, body: Buffer) => {
  const b = Buffer.alloc(4 + body.length);
  b.writeInt32BE(id, 0);
  body.copy(b, 4);
  return encodeFrame(b);
};

/** Metadata v0 has response header v0: the decoder reads what the fake echoed. */
const echo = (n: number) => ({ apiKey: 3, version: 0, encode: (w: Writer) => void w.int32(n), decode: (r: Reader) => r.int32() });

test('many pipelined requests on one connection resolve with their own responses, in order', async (t) => {
  const broker = await fakeBroker((frames, s) => {
    for (const f of frames) s.write(answer(f.id, f.body));
  });
  t.teardown(broker.close);
  const c = await Connection.connect('127.0.0.1', broker.port, { clientId: 'test' });
  const results = await Promise.all(Array.from({ length: 500 }, (_, i) => c.request(echo(i))));
  t.deepEqual(results, Array.from({ length: 500 }, (_, i) => i));
  t.is(c.inFlight, 0);
  c.close();
});

test('a response out of order closes the connection and fails every outstanding request', async (t) => {
  let held: { id: number; body: Buffer }[] = [];
  const broker = await fakeBroker((frames, s) => {
    held.push(...frames);
    if (held.length >= 2) {
      s.write(answer(held[1]!.id, held[1]!.body));
      held = [];
    }
  });
  t.teardown(broker.close);
  const c = await Connection.connect('127.0.0.1', broker.port);
  const a = c.request(echo(1));
  const b = c.request(echo(2));
  await t.throwsAsync(a, { instanceOf: ConnectionError, message: /oldest/ });
  await t.throwsAsync(b, { instanceOf: ConnectionError });
  t.true(c.closed);
  await t.throwsAsync(c.request(echo(3)), { instanceOf: ConnectionError });
});

test('a request with no answer times out with RequestTimeoutError and closes the connection', async (t) => {
  const broker = await fakeBroker(() => {});
  t.teardown(broker.close);
  const c = await Connection.connect('127.0.0.1', broker.port, { requestTimeoutMs: 200 });
  const started = Date.now();
  await t.throwsAsync(c.request(echo(1)), { instanceOf: RequestTimeoutError });
  t.true(Date.now() - started >= 200);
  t.true(c.closed);
});

test('the broker closing the socket fails outstanding requests with ConnectionError', async (t) => {
  const broker = await fakeBroker((_frames, s) => s.destroy());
  t.teardown(broker.close);
  const c = await Connection.connect('127.0.0.1', broker.port);
  await t.throwsAsync(c.request(echo(1)), { instanceOf: ConnectionError });
});

test('connecting to a closed port rejects with ConnectionError', async (t) => {
  const broker = await fakeBroker(() => {});
  broker.close();
  await t.throwsAsync(Connection.connect('127.0.0.1', broker.port), { instanceOf: ConnectionError });
});

test('a caller-encoded frame is matched by its own correlation id, between ordinary requests, over a custom dialer', async (t) => {
  const broker = await fakeBroker((frames, s) => {
    for (const f of frames) s.write(answer(f.id, f.body));
  });
  t.teardown(broker.close);
  let dialled = 0;
  const dialer = (host: string, port: number) => {
    dialled++;
    return new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port }, () => resolve(s));
      s.once('error', reject);
    });
  };
  const c = await Connection.connect('127.0.0.1', broker.port, { dialer, clientId: 'test' });
  t.is(dialled, 1);
  // Request header v1 with correlation id 4242 and client id "x", then a body of int32 7.
  const frame = Buffer.from('000300000000109200017800000007', 'hex');
  const [before, raw, after] = await Promise.all([
    c.request(echo(1)),
    c.requestFrame(frame, 4242, { apiKey: 3, version: 0, decode: (r) => r.int32() }),
    c.request(echo(2)),
  ]);
  t.deepEqual([before, raw, after], [1, 7, 2]);
  const dup = c.requestFrame(frame, 4242, { apiKey: 3, version: 0, decode: (r) => r.int32() });
  await t.throwsAsync(c.requestFrame(frame, 4242, { apiKey: 3, version: 0, decode: (r) => r.int32() }), { message: /already outstanding/ });
  t.is(await dup, 7);
  c.close();
});
