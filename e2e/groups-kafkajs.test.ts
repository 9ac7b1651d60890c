/**
 * kafkajs 2.2 consumer groups against one live node: two members split a 6-partition topic (every
 * partition read by exactly one of them, every record exactly once); when one leaves the other takes
 * over its partitions from the committed offsets; after the node is killed and restarted on the same
 * data dir a new member resumes where the group left off, because offsets live in __consumer_offsets.
 */
import test from 'ava';
import { Kafka, logLevel, type Consumer, type EachMessagePayload } from 'kafkajs';
import { startNodeProcess, type NodeProcess } from './lib/node-process.ts';
import { waitFor } from './lib/tools.ts';

const TOPIC = 'grp-six';
const GROUP = 'grp-kafkajs';
const PARTITIONS = 6;

let node: NodeProcess;
test.before(async () => {
  node = await startNodeProcess();
});
test.after.always(async () => {
  await node?.destroy();
});

function kafka(clientId: string): Kafka {
  return new Kafka({ clientId, brokers: [node.address], logLevel: logLevel.NOTHING, retry: { retries: 12, initialRetryTime: 100, maxRetryTime: 2000 } });
}

interface Seen {
  member: string;
  partition: number;
  offset: number;
  value: string;
}

/** A group member that records what it reads and the assignment of its latest generation. */
class Member {
  readonly consumer: Consumer;
  readonly seen: Seen[] = [];
  assigned: number[] = [];

  constructor(readonly name: string) {
    this.consumer = kafka(name).consumer({ groupId: GROUP, sessionTimeout: 10_000, rebalanceTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
    this.consumer.on(this.consumer.events.GROUP_JOIN, (e) => {
      this.assigned = [...(e.payload.memberAssignment[TOPIC] ?? [])].sort((a, b) => a - b);
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }: EachMessagePayload) => {
        this.seen.push({ member: this.name, partition, offset: Number(message.offset), value: message.value!.toString() });
      },
    });
  }
}

async function produce(round: string, perPartition: number): Promise<string[]> {
  const producer = kafka('grp-producer').producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const values: string[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const messages = Array.from({ length: perPartition }, (_, i) => ({ key: `k${p}-${i}`, value: `${round}-p${p}-${i}`, partition: p }));
    values.push(...messages.map((m) => m.value));
    await producer.send({ topic: TOPIC, acks: -1, messages });
  }
  await producer.disconnect();
  return values;
}

const sorted = (xs: string[]): string[] => [...xs].sort();

test.serial('two kafkajs members split 6 partitions, a leaver\'s partitions move to the other from committed offsets, and offsets survive a node restart', async (t) => {
  const admin = kafka('grp-admin').admin();
  await admin.connect();
  t.true(await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true }));

  const a = new Member('member-a');
  const b = new Member('member-b');
  await a.start();
  await b.start();
  // Both members hold a share of one generation's assignment before anything is written.
  await waitFor('both members assigned', () => {
    const all = [...a.assigned, ...b.assigned].sort((x, y) => x - y);
    return a.assigned.length > 0 && b.assigned.length > 0 && all.join() === '0,1,2,3,4,5' ? true : undefined;
  }, 60_000);
  t.deepEqual([a.assigned.length, b.assigned.length].sort(), [3, 3]);

  const first = await produce('r1', 50);
  await waitFor('round 1 consumed', () => (a.seen.length + b.seen.length >= first.length ? true : undefined), 60_000);
  const round1 = [...a.seen, ...b.seen];
  t.deepEqual(sorted(round1.map((s) => s.value)), sorted(first), 'every record exactly once');
  for (const s of a.seen) t.true(a.assigned.includes(s.partition), `member-a read partition ${s.partition} it was not assigned`);
  for (const s of b.seen) t.true(b.assigned.includes(s.partition), `member-b read partition ${s.partition} it was not assigned`);
  const bPartitions = [...b.assigned];

  // member-b leaves (kafkajs commits, then sends LeaveGroup); member-a takes every partition.
  await b.consumer.disconnect();
  await waitFor('member-a owns all partitions', () => (a.assigned.length === PARTITIONS ? true : undefined), 60_000);
  const before = a.seen.length;
  const second = await produce('r2', 20);
  await waitFor('round 2 consumed', () => (a.seen.length - before >= second.length ? true : undefined), 60_000);
  const round2 = a.seen.slice(before);
  t.deepEqual(sorted(round2.map((s) => s.value)), sorted(second), 'member-a read only new records: it started from member-b\'s committed offsets');
  t.true(round2.some((s) => bPartitions.includes(s.partition)));

  await a.consumer.disconnect();
  const committed = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  t.deepEqual(committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort((x, y) => Number(x[0]) - Number(y[0])), Array.from({ length: PARTITIONS }, (_, p) => [p, '70']));
  await admin.disconnect();

  // The whole node goes down hard and comes back on the same data dir.
  await node.kill('SIGKILL');
  await node.start();
  const third = await produce('r3', 5);
  const c = new Member('member-c');
  await c.start();
  await waitFor('round 3 consumed', () => (c.seen.length >= third.length ? true : undefined), 60_000);
  await c.consumer.disconnect();
  t.deepEqual(sorted(c.seen.map((s) => s.value)), sorted(third), 'after the restart the group resumed at its committed offsets');
  t.true(c.seen.every((s) => s.offset >= 70));
});
