import test from 'ava';
import { ApiKey, SUPPORTED, advertisedVersions, isFlexible, isSupported } from '../../src/protocol/api-keys.ts';
import {
  decodeRequestHeader, readResponseHeader, requestHeaderVersion, responseHeaderVersion,
  writeRequestHeader, writeResponseHeader,
} from '../../src/protocol/header.ts';
import { Reader } from '../../src/protocol/reader.ts';
import { Writer } from '../../src/protocol/writer.ts';

test('header versions follow flexibility, ApiVersions responses always v0', (t) => {
  t.is(requestHeaderVersion(ApiKey.Metadata, 8), 1);
  t.is(requestHeaderVersion(ApiKey.Metadata, 9), 2);
  t.is(responseHeaderVersion(ApiKey.Metadata, 9), 1);
  t.is(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
  t.is(responseHeaderVersion(ApiKey.ApiVersions, 3), 0);
  t.is(responseHeaderVersion(ApiKey.Produce, 8), 0);
});

test('request header v1 has the documented layout', (t) => {
  const w = new Writer();
  writeRequestHeader(w, 1, { apiKey: 3, apiVersion: 4, correlationId: 7, clientId: 'rd' });
  t.deepEqual(w.toBuffer(), Buffer.from('0003' + '0004' + '00000007' + '0002' + '7264', 'hex'));
  const h = decodeRequestHeader(Buffer.concat([w.toBuffer(), Buffer.from([9])]));
  t.like(h, { apiKey: 3, apiVersion: 4, correlationId: 7, clientId: 'rd', headerVersion: 1, supported: true, bodyOffset: 12 });
});

test('request header v2 adds an empty tagged-field section; null client id is -1', (t) => {
  const w = new Writer();
  writeRequestHeader(w, 2, { apiKey: 18, apiVersion: 3, correlationId: 1, clientId: null });
  t.deepEqual(w.toBuffer(), Buffer.from('0012' + '0003' + '00000001' + 'ffff' + '00', 'hex'));
  t.like(decodeRequestHeader(w.toBuffer()), { clientId: null, headerVersion: 2, bodyOffset: 11 });
});

test('an unknown ApiVersions version still decodes its header', (t) => {
  const w = new Writer();
  writeRequestHeader(w, 2, { apiKey: 18, apiVersion: 99, correlationId: 5, clientId: 'x' });
  t.like(decodeRequestHeader(w.toBuffer()), { apiKey: 18, apiVersion: 99, correlationId: 5, supported: false });
  t.like(decodeRequestHeader(Buffer.from('7fff000000000009ffff', 'hex')), { apiKey: 0x7fff, supported: false });
});

test('response headers round-trip in both versions', (t) => {
  for (const [key, version, len] of [[ApiKey.Produce, 8, 4], [ApiKey.Metadata, 9, 5], [ApiKey.ApiVersions, 3, 4]] as const) {
    const w = new Writer();
    writeResponseHeader(w, key, version, 0x01020304);
    t.is(w.offset, len);
    t.is(readResponseHeader(new Reader(w.toBuffer()), key, version), 0x01020304);
  }
});

test('every supported API starts at version 0 and ChainReplicate is never advertised', (t) => {
  for (const { minVersion } of advertisedVersions()) t.is(minVersion, 0);
  t.false(advertisedVersions().some((v) => v.apiKey === ApiKey.ChainReplicate));
  t.false(ApiKey.ChainReplicate in SUPPORTED);
  t.true(isSupported(ApiKey.Fetch, 12));
  t.true(isSupported(ApiKey.Fetch, 16), 'topic ids: Fetch v13-16');
  t.false(isSupported(ApiKey.Fetch, 17), 'v17 (KIP-853 directory ids) is not advertised');
  t.true(isFlexible(ApiKey.ApiVersions, 3));
  t.false(isFlexible(ApiKey.Produce, 8));
});
