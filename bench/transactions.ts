/**
 * Transactions benchmark: transactional produce throughput against idempotent produce, in the same run
 * against one `vonnegut serve` child process, with kafkajs 2.2 over TCP (acks=-1, one partition).
 *
 *   npm run bench:transactions -- [--records 20000] [--small-records 500] [--value 100] [--json]
 *
 * Four phases, each on its own fresh topic:
 *   idempotent x100    `--records` records sent 100 per Produce by an idempotent producer
 *   transactional x100 the same, each 100 in one transaction (AddPartitionsToTxn, Produce, EndTxn)
 *   idempotent x1      `--small-records` records sent one per Produce
 *   transactional x1   the same, each record its own transaction
 * A transaction costs the coordinator two `__transaction_state` appends (Ongoing, then
 * PrepareCommit) plus a marker per partition and a final CompleteCommit append, each waiting for the
 * chain to commit; so with one record per transaction the rate is bounded by those round trips, while
 * with 100 they are spread over the batch.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { startServer, stopServer } from './lib/server.ts';

interface Phase {
  name: string;
  perSend: number;
  records: number;
  transactional: boolean;
}

interface Result {
  phase: string;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  sendsPerSecond: number;
}

const { values: opts } = parseArgs({
  options: {
    records: { type: 'string', default: '20000' },
    'small-records': { type: 'string', default: '500' },
    value: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
  },
});

async function runPhase(kafka: Kafka, phase: Phase, value: Buffer): Promise<Result> {
  const topic = `bench-${phase.name.replace(/\W+/g, '-')}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer: Producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, ...(phase.transactional ? { transactionalId: `bench-${topic}` } : {}) });
  await producer.connect();
  const messages = Array.from({ length: phase.perSend }, () => ({ value }));
  const sends = Math.ceil(phase.records / phase.perSend);
  // One untimed round first: connections, metadata and (transactional) InitProducerId.
  await sendOnce(producer, topic, messages, phase.transactional);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < sends; i++) await sendOnce(producer, topic, messages, phase.transactional);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await producer.disconnect();
  const records = sends * phase.perSend;
  return { phase: phase.name, records, seconds, recordsPerSecond: records / seconds, sendsPerSecond: sends / seconds };
}

async function sendOnce(producer: Producer, topic: string, messages: { value: Buffer }[], transactional: boolean): Promise<void> {
  if (!transactional) {
    await producer.send({ topic, acks: -1, messages });
    return;
  }
  const txn = await producer.transaction();
  await txn.send({ topic, acks: -1, messages });
  await txn.commit();
}

async function main(): Promise<void> {
  const records = Number(opts.records);
  const small = Number(opts['small-records']);
  const value = Buffer.alloc(Number(opts.value), 'v');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vg-bench-txn-'));
  const server = await startServer(dataDir);
  const results: Result[] = [];
  try {
    const kafka = new Kafka({ clientId: 'bench-txn', brokers: [server.address], logLevel: logLevel.NOTHING });
    const phases: Phase[] = [
      { name: 'idempotent x100', perSend: 100, records, transactional: false },
      { name: 'transactional x100', perSend: 100, records, transactional: true },
      { name: 'idempotent x1', perSend: 1, records: small, transactional: false },
      { name: 'transactional x1', perSend: 1, records: small, transactional: true },
    ];
    for (const phase of phases) {
      const r = await runPhase(kafka, phase, value);
      results.push(r);
      if (!opts.json) console.log(`${r.phase.padEnd(20)} ${r.records} records in ${r.seconds.toFixed(2)} s: ${r.recordsPerSecond.toFixed(0)} records/s, ${r.sendsPerSecond.toFixed(1)} ${phase.transactional ? 'transactions' : 'produces'}/s`);
    }
    const ratio = (a: string, b: string): number => results.find((r) => r.phase === a)!.recordsPerSecond / results.find((r) => r.phase === b)!.recordsPerSecond;
    const summary = { transactionalOverIdempotentX100: ratio('transactional x100', 'idempotent x100'), transactionalOverIdempotentX1: ratio('transactional x1', 'idempotent x1') };
    if (opts.json) console.log(JSON.stringify({ results, ...summary }, null, 2));
    else console.log(`transactional / idempotent records/s: x100 ${summary.transactionalOverIdempotentX100.toFixed(2)}, x1 ${summary.transactionalOverIdempotentX1.toFixed(2)}`);
  } finally {
    await stopServer(server);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
