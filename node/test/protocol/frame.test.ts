import test from 'ava';
import { DEFAULT_MAX_FRAME_BYTES, FrameDecoder, FrameSizeError, encodeFrame } from '../../src/protocol/frame.ts';
import { DecodeError } from '../../src/protocol/errors.ts';

const payloads = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), Buffer.alloc(300, 7)];
const stream = Buffer.concat(payloads.map((p) => encodeFrame(p)));

test('encodeFrame prefixes the int32 size', (t) => {
  t.deepEqual(encodeFrame(Buffer.from([0xaa, 0xbb])), Buffer.from([0, 0, 0, 2, 0xaa, 0xbb]));
});

test('a stream split at every byte position yields the same frames', (t) => {
  for (let cut = 0; cut <= stream.length; cut++) {
    const d = new FrameDecoder();
    const got = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
    t.deepEqual(got, payloads, `cut at ${cut}`);
    t.is(d.bufferedBytes, 0);
  }
});

test('a stream split at every pair of positions yields the same frames', (t) => {
  const small = stream.subarray(0, 4 + 5 + 4 + 4 + 9);
  for (let a = 0; a <= small.length; a++) {
    for (let b = a; b <= small.length; b++) {
      const d = new FrameDecoder();
      const got = [...d.push(small.subarray(0, a)), ...d.push(small.subarray(a, b)), ...d.push(small.subarray(b))];
      t.is(got.length, 3);
    }
  }
});

test('one byte at a time yields every frame exactly once', (t) => {
  const d = new FrameDecoder();
  const got: Buffer[] = [];
  for (const byte of stream) got.push(...d.push(Buffer.from([byte])));
  t.deepEqual(got, payloads);
});

test('several frames in one chunk come out together, a partial tail stays buffered', (t) => {
  const d = new FrameDecoder();
  const got = d.push(Buffer.concat([stream, Buffer.from([0, 0, 0, 3, 1])]));
  t.deepEqual(got, payloads);
  t.is(d.bufferedBytes, 1);
  t.deepEqual(d.push(Buffer.from([2, 3])), [Buffer.from([1, 2, 3])]);
});

test('a negative size is rejected as soon as its prefix arrives', (t) => {
  const d = new FrameDecoder();
  t.deepEqual(d.push(Buffer.from([0xff, 0xff])), []);
  const err = t.throws(() => d.push(Buffer.from([0xff, 0xfe])), { instanceOf: FrameSizeError });
  t.is(err?.kind, 'negative');
  t.true(err instanceof DecodeError);
  // The decoder stays failed: the stream cannot be resynchronised.
  t.throws(() => d.push(Buffer.from([0, 0, 0, 0])), { instanceOf: FrameSizeError });
});

test('an oversized size is rejected without buffering its body', (t) => {
  const d = new FrameDecoder(1024);
  const err = t.throws(() => d.push(Buffer.from([0, 0, 4, 1, 9, 9, 9])), { instanceOf: FrameSizeError });
  t.is(err?.kind, 'oversized');
  t.is(err?.size, 1025);
  t.is(d.bufferedBytes, 0);
  t.notThrows(() => new FrameDecoder(1024).push(encodeFrame(Buffer.alloc(1024))));
});

test('default maximum is 100 MiB and 0x7fffffff is refused', (t) => {
  t.is(DEFAULT_MAX_FRAME_BYTES, 100 * 1024 * 1024);
  t.throws(() => new FrameDecoder().push(Buffer.from([0x7f, 0xff, 0xff, 0xff])), { instanceOf: FrameSizeError });
});

test('many tiny chunks of one large frame assemble in linear time', (t) => {
  const body = Buffer.alloc(200_000, 3);
  const framed = encodeFrame(body);
  const d = new FrameDecoder();
  const got: Buffer[] = [];
  const started = Date.now();
  for (let i = 0; i < framed.length; i += 10) got.push(...d.push(framed.subarray(i, i + 10)));
  t.is(got.length, 1);
  t.true(got[0]!.equals(body));
  t.true(Date.now() - started < 2000);
});

test('a frame split over chunks is copied into the caller-supplied buffer; one inside a chunk and size prefixes never ask', (t) => {
  const asked: { size: number; first: number }[] = [];
  const supplied: Buffer[] = [];
  const d = new FrameDecoder(DEFAULT_MAX_FRAME_BYTES, (size, start) => {
    asked.push({ size, first: start[0]! });
    const b = Buffer.alloc(size);
    supplied.push(b);
    return b;
  });
  const big = Buffer.alloc(1000, 9);
  big[0] = 0x42;
  const bytes = Buffer.concat([encodeFrame(Buffer.from('inside')), encodeFrame(big)]);
  // Cut inside the second frame's size prefix, then inside its body.
  const cuts = [4 + 6 + 2, 4 + 6 + 4 + 500];
  const got = [...d.push(bytes.subarray(0, cuts[0])), ...d.push(bytes.subarray(cuts[0], cuts[1])), ...d.push(bytes.subarray(cuts[1]))];
  t.deepEqual(got, [Buffer.from('inside'), big]);
  t.deepEqual(asked, [{ size: 1000, first: 0x42 }], 'asked once, for the split frame, seeing its first byte');
  t.is(got[1]!.buffer, supplied[0]!.buffer, 'the split frame lives in the supplied buffer');
});

test('a decoder whose allocator declines falls back to a fresh buffer', (t) => {
  const d = new FrameDecoder(DEFAULT_MAX_FRAME_BYTES, () => undefined);
  const frame = encodeFrame(Buffer.alloc(100, 3));
  t.deepEqual([...d.push(frame.subarray(0, 50)), ...d.push(frame.subarray(50))], [Buffer.alloc(100, 3)]);
});
