import test from 'ava';
import { backoffMs, isRetriable } from '../../src/client/retry.ts';
import { ConnectionError, RequestTimeoutError } from '../../src/client/errors.ts';
import { KafkaError } from '../../src/protocol/errors.ts';
import { codeError } from '../../src/client/routing.ts';

test('moved errors are retried: not leader, leader not available, not enough replicas, timeouts, lost connections', (t) => {
  for (const name of ['NOT_LEADER_OR_FOLLOWER', 'LEADER_NOT_AVAILABLE', 'NOT_ENOUGH_REPLICAS', 'REQUEST_TIMED_OUT', 'NOT_CONTROLLER'] as const) {
    t.true(isRetriable(new KafkaError(name)), name);
  }
  t.true(isRetriable(new ConnectionError('closed', 'h:1')));
  t.true(isRetriable(new RequestTimeoutError('h:1', 10)));
});

test('UNKNOWN_TOPIC_OR_PARTITION is retried only while the topic may still appear', (t) => {
  const e = new KafkaError('UNKNOWN_TOPIC_OR_PARTITION');
  t.false(isRetriable(e));
  t.false(isRetriable(e, { topicMayAppear: false }));
  t.true(isRetriable(e, { topicMayAppear: true }));
});

test('other Kafka errors and plain errors surface at once', (t) => {
  for (const name of ['OFFSET_OUT_OF_RANGE', 'TOPIC_ALREADY_EXISTS', 'INVALID_TOPIC_EXCEPTION', 'MESSAGE_TOO_LARGE', 'CORRUPT_MESSAGE', 'UNKNOWN_SERVER_ERROR'] as const) {
    t.false(isRetriable(new KafkaError(name), { topicMayAppear: true }), name);
  }
  t.false(isRetriable(new Error('bug')));
});

test('codeError keeps the numeric Kafka code and names it; unknown codes become UNKNOWN_SERVER_ERROR', (t) => {
  const e = codeError(6, 'produce');
  t.is(e.code, 6);
  t.is(e.codeName, 'NOT_LEADER_OR_FOLLOWER');
  t.true(isRetriable(e));
  const u = codeError(9999, 'x');
  t.is(u.codeName, 'UNKNOWN_SERVER_ERROR');
  t.regex(u.message, /error code 9999/);
});

test('backoff doubles per attempt within [ceiling/2, ceiling] and stops at the maximum', (t) => {
  const lo = () => 0;
  const hi = () => 1;
  t.is(backoffMs(0, 50, 2000, lo), 25);
  t.is(backoffMs(0, 50, 2000, hi), 50);
  t.is(backoffMs(3, 50, 2000, hi), 400);
  t.is(backoffMs(3, 50, 2000, lo), 200);
  t.is(backoffMs(10, 50, 2000, hi), 2000);
  t.is(backoffMs(1000, 50, 2000, lo), 1000);
});
