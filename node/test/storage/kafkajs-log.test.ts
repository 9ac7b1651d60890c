/** Independent decoder: kafkajs 2.2 reads a `.log` file written by vonnegut, batch by batch. */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Decoder from 'kafkajs/src/protocol/decoder.js';
import decodeKafkaJSBatch from 'kafkajs/src/protocol/recordBatch/v0/decoder.js';
import { openLog } from '../../src/index.ts';
import { tempDir, T0 } from './helpers.ts';

test('kafkajs decodes every record of a .log written by the library', async (t) => {
  const dataDir = tempDir(t);
  const log = await openLog({ dataDir });
  log.createTopic('interop');
  const expected: { key: string | null; value: string; ts: number; h: string }[] = [];
  for (let b = 0; b < 20; b++) {
    const records = Array.from({ length: 1 + (b % 5) }, (_, i) => {
      const n = expected.length + i;
      return { key: n % 4 === 0 ? null : `key-${n}`, value: `välue ${n} ✓`, timestamp: T0 + n, headers: [{ key: 'n', value: String(n) }] };
    });
    log.write('interop', records);
    expected.push(...records.map((r) => ({ key: r.key, value: r.value, ts: r.timestamp, h: r.headers[0]!.value })));
  }
  log.close();
  const gzipped = await openLog({ dataDir, compression: 'gzip' });
  gzipped.write('interop', ['gzip too', 'and me']);
  expected.push({ key: null, value: 'gzip too', ts: -1, h: '' }, { key: null, value: 'and me', ts: -1, h: '' });
  gzipped.close();

  const file = fs.readFileSync(path.join(dataDir, 'interop-0', '00000000000000000000.log'));
  const decoder = new Decoder(file);
  const seen: { offset: number; key: string | null; value: string; ts: string; h: string }[] = [];
  while (decoder.offset < file.length) {
    const batch = await decodeKafkaJSBatch(decoder);
    for (const r of batch.records) {
      const h = r.headers['n'];
      seen.push({ offset: Number(r.offset), key: r.key?.toString() ?? null, value: r.value!.toString(), ts: r.timestamp, h: Buffer.isBuffer(h) ? h.toString() : '' });
    }
  }
  t.is(seen.length, expected.length);
  seen.forEach((s, i) => {
    const e = expected[i]!;
    t.is(s.offset, i);
    t.is(s.key, e.key);
    t.is(s.value, e.value);
    t.is(s.h, e.h);
    if (e.ts >= 0) t.is(s.ts, String(e.ts));
  });
});
