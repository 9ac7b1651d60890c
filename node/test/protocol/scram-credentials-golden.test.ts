/**
 * Golden bytes for KIP-554's DescribeUserScramCredentials (key 50) and AlterUserScramCredentials (51),
 * v0 (flexible: compact strings and bytes, compact arrays, a tag count per struct), assembled field by
 * field from Kafka's DescribeUserScramCredentials{Request,Response}.json and AlterUserScramCredentials*.json.
 */
import test from 'ava';
import { check, compact, golden } from './golden-hex.ts';
import * as api from '../../src/protocol/apis/scram-credentials.ts';

test('DescribeUserScramCredentials v0 request: users, and null for all', (t) => {
  const bytes = golden(`
    02                      | users: 1 (compact nullable)
      ${compact('alice')}   |   name
      00                    |   tags
    00                      | tags`);
  check<api.DescribeUserScramCredentialsRequest>(t, bytes, { users: ['alice'] }, (w, v) => api.encodeDescribeUserScramCredentialsRequest(w, 0, v), (r) => api.decodeDescribeUserScramCredentialsRequest(r, 0));
  check<api.DescribeUserScramCredentialsRequest>(t, golden('00 00'), { users: null }, (w, v) => api.encodeDescribeUserScramCredentialsRequest(w, 0, v), (r) => api.decodeDescribeUserScramCredentialsRequest(r, 0));
});

test('DescribeUserScramCredentials v0 response', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    0000                    | error_code
    00                      | error_message: null
    03                      | results: 2
      ${compact('alice')} 0000 00 | user, error_code, error_message null
      02                    |   credential_infos: 1
        01 00002710 00      |     mechanism SCRAM-SHA-256, iterations 10000, tags
      00                    |   tags
      ${compact('bob')} 005b ${compact('gone')} | user, RESOURCE_NOT_FOUND (91), message
      01 00                 |   credential_infos: 0, tags
    00                      | tags`);
  check<api.DescribeUserScramCredentialsResponse>(t, bytes, {
    throttleTimeMs: 0, errorCode: 0, errorMessage: null, results: [
      { user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 10000 }] },
      { user: 'bob', errorCode: 91, errorMessage: 'gone', credentialInfos: [] },
    ],
  }, (w, v) => api.encodeDescribeUserScramCredentialsResponse(w, 0, v), (r) => api.decodeDescribeUserScramCredentialsResponse(r, 0));
});

test('AlterUserScramCredentials v0 request', (t) => {
  const bytes = golden(`
    02                      | deletions: 1
      ${compact('bob')} 02 00 | name, mechanism SCRAM-SHA-512, tags
    02                      | upsertions: 1
      ${compact('alice')} 01 00001000 | name, SCRAM-SHA-256, iterations 4096
      03 0102               |   salt: compact bytes (length+1)
      04 aabbcc             |   salted_password
      00                    |   tags
    00                      | tags`);
  check<api.AlterUserScramCredentialsRequest>(t, bytes, {
    deletions: [{ name: 'bob', mechanism: 2 }],
    upsertions: [{ name: 'alice', mechanism: 1, iterations: 4096, salt: Buffer.from('0102', 'hex'), saltedPassword: Buffer.from('aabbcc', 'hex') }],
  }, (w, v) => api.encodeAlterUserScramCredentialsRequest(w, 0, v), (r) => api.decodeAlterUserScramCredentialsRequest(r, 0));
});

test('AlterUserScramCredentials v0 response', (t) => {
  const bytes = golden(`
    00000000                | throttle_time_ms
    03                      | results: 2
      ${compact('alice')} 0000 00 00 | user, error_code, message null, tags
      ${compact('bob')} 005d ${compact('few')} 00 | UNACCEPTABLE_CREDENTIAL (93)
    00                      | tags`);
  check<api.AlterUserScramCredentialsResponse>(t, bytes, {
    throttleTimeMs: 0, results: [{ user: 'alice', errorCode: 0, errorMessage: null }, { user: 'bob', errorCode: 93, errorMessage: 'few' }],
  }, (w, v) => api.encodeAlterUserScramCredentialsResponse(w, 0, v), (r) => api.decodeAlterUserScramCredentialsResponse(r, 0));
});
