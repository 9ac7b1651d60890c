/**
 * kcat's SASL frames (node/test/fixtures/kcat-sasl-*.json, captured by scripts/capture-clients.ts while
 * kcat logged in through the node's own SaslSession): what librdkafka 2.0 really sends, read by our codecs
 * and checked against the mechanism's grammar.
 */
import test from 'ava';
import { ApiKey } from '../../src/protocol/api-keys.ts';
import { decodeSaslAuthenticateRequest } from '../../src/protocol/apis/sasl-authenticate.ts';
import { decodeSaslHandshakeRequest } from '../../src/protocol/apis/sasl-handshake.ts';
import { decodeRequestHeader } from '../../src/protocol/header.ts';
import { Reader } from '../../src/protocol/reader.ts';
import { parsePlain } from '../../src/security/sasl/plain.ts';
import { fixtures } from './fixtures.ts';

function frame(file: string, apiKey: number): { version: number; body: Reader } {
  const f = fixtures.find(([name]) => name === file)?.[1].frames.find((x) => x.apiKey === apiKey);
  if (!f) throw new Error(`${file} has no api ${apiKey}`);
  const bytes = Buffer.from(f.hex, 'hex');
  const h = decodeRequestHeader(bytes);
  return { version: h.apiVersion, body: new Reader(bytes, h.bodyOffset) };
}

for (const mechanism of ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']) {
  const file = `kcat-sasl-${mechanism.toLowerCase()}.json`;

  test(`kcat ${mechanism}: SaslHandshake v1 names the mechanism, then SaslAuthenticate carries the first token`, (t) => {
    const hs = frame(file, ApiKey.SaslHandshake);
    t.is(hs.version, 1, 'librdkafka uses KIP-152 (SaslHandshake v1 + SaslAuthenticate)');
    t.is(decodeSaslHandshakeRequest(hs.body, hs.version).mechanism, mechanism);
    const auth = frame(file, ApiKey.SaslAuthenticate);
    const token = decodeSaslAuthenticateRequest(auth.body, auth.version).authBytes;
    if (mechanism === 'PLAIN') {
      t.deepEqual(parsePlain(token), { authzid: '', username: 'capture', password: 'capture-password' });
    } else {
      // client-first: gs2 header without channel binding or authzid, then n=user,r=nonce.
      t.regex(token.toString('utf8'), /^n,,n=capture,r=[\x21-\x2b\x2d-\x7e]+$/);
    }
  });
}
