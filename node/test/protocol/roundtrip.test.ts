import test from 'ava';
import { Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';
import { ALL } from './codecs.ts';

for (const c of ALL) {
  for (const v of c.versions) {
    test(`${c.name} v${v} request round-trips`, (t) => {
      const w = new Writer();
      c.encodeRequest(w, v, c.request(v));
      const bytes = Buffer.from(w.toBuffer());
      const r = new Reader(bytes);
      const decoded = c.decodeRequest(r, v);
      t.is(r.remaining, 0, 'every byte consumed');
      t.deepEqual(decoded, c.request(v));
      const again = new Writer();
      c.encodeRequest(again, v, decoded);
      t.deepEqual(again.toBuffer(), bytes);
    });
    test(`${c.name} v${v} response round-trips`, (t) => {
      const w = new Writer();
      c.encodeResponse(w, v, c.response(v));
      const bytes = Buffer.from(w.toBuffer());
      const r = new Reader(bytes);
      const decoded = c.decodeResponse(r, v);
      t.is(r.remaining, 0, 'every byte consumed');
      t.deepEqual(decoded, c.response(v));
      const again = new Writer();
      c.encodeResponse(again, v, decoded);
      t.deepEqual(again.toBuffer(), bytes);
    });
  }
}
