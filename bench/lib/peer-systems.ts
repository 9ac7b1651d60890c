/**
 * The systems of the peers bench behind one interface, each driven by its official Node client:
 * vonnegut (node/src/client), NATS JetStream (nats.js) and Redis streams (node-redis). Every adapter
 * opens one client per producer and says in `operation` how one operation's records travel.
 */
import { connect, StorageType, type JetStreamManager, type NatsConnection } from 'nats';
import { createClient as createRedis } from 'redis';
import { createClient, type Client } from '../../node/src/client/index.ts';
import type { PeerProducer } from './peer-load.ts';

/** How long a fresh stream or topic may take to accept writes (a JetStream cluster elects leaders first). */
const READY_TIMEOUT_MS = 30_000;

export interface PeerSystem {
  name: string;
  /** What one operation of `batch` records is on the wire, for the output. */
  operation: string;
  /** When a write counts as acknowledged. */
  ack: string;
  /** Server process ids, for CPU accounting. */
  pids: number[];
  /** Creates stream `id` (a short [a-z0-9] name) and opens `n` producers that write to it. */
  open(id: string, n: number): Promise<PeerProducer[]>;
  /** Records stored in stream `id`: the bench checks every acknowledged record is there. */
  count(id: string): Promise<number>;
  /** Deletes stream `id`, so rounds do not fill the disk. */
  drop(id: string): Promise<void>;
  /** Closes the admin client (servers are stopped by whoever started them). */
  close(): Promise<void>;
}

/** Polls `fn` until it resolves, for up to READY_TIMEOUT_MS; then rethrows its last error. */
async function untilReady<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what} not ready after ${READY_TIMEOUT_MS} ms: ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** vonnegut through its native client: acks=-1, so a produce returns once the chain's tail has the batch. */
export async function vonnegutSystem(name: string, endpoints: string[], pids: number[]): Promise<PeerSystem> {
  const admin = await createClient({ endpoints, poolSize: 1 });
  const topic = (id: string): string => `peers-${id}`;
  return {
    name, pids,
    operation: 'one Produce request carrying one RecordBatch of the batch\'s records',
    ack: 'acks=-1: the tail has appended it (page cache, no fsync per write, as Kafka)',
    async open(id, n) {
      await admin.createTopic(topic(id));
      await untilReady(`${name} topic ${topic(id)}`, () => admin.offsets(topic(id)));
      const clients: Client[] = await Promise.all(Array.from({ length: n }, () => createClient({ endpoints, poolSize: 1 })));
      return clients.map((c) => ({
        async send(records) {
          await c.produce(topic(id), records, { acks: -1 });
        },
        close: () => c.close(),
      }));
    },
    async count(id) {
      return (await admin.offsets(topic(id))).latest;
    },
    async drop(id) {
      await admin.deleteTopic(topic(id));
    },
    close: () => admin.close(),
  };
}

/** NATS JetStream through nats.js: a file-storage stream with `replicas` replicas, publishes await the PubAck. */
export async function jetStreamSystem(name: string, servers: string[], replicas: number, pids: number[]): Promise<PeerSystem> {
  const admin = await connect({ servers });
  const jsm: JetStreamManager = await untilReady(`${name} JetStream`, () => admin.jetstreamManager());
  const stream = (id: string): string => `PEERS_${id.toUpperCase()}`;
  const subject = (id: string): string => `peers.${id}`;
  return {
    name, pids,
    operation: 'the batch\'s records as that many js.publish calls in flight at once, awaited together',
    ack: replicas === 1
      ? 'PubAck: the server stored it (file storage, fsync on its sync_interval, default 2 min)'
      : 'PubAck: the stream leader and a quorum of its 3 replicas stored it (file storage)',
    async open(id, n) {
      const info = await untilReady(`${name} stream ${stream(id)}`, () => jsm.streams.add({
        name: stream(id), subjects: [subject(id)], storage: StorageType.File, num_replicas: replicas,
      }));
      const placed = 1 + (info.cluster?.replicas?.length ?? 0);
      if (info.config.storage !== StorageType.File || (replicas > 1 && placed !== replicas)) {
        throw new Error(`${name}: stream ${stream(id)} has ${info.config.storage} storage on ${placed} servers, wanted file on ${replicas}`);
      }
      const conns: NatsConnection[] = await Promise.all(Array.from({ length: n }, () => connect({ servers })));
      // A new R3 stream may answer "no responders" until its leader is elected: publish once, untimed.
      await untilReady(`${name} stream ${stream(id)} leader`, () => conns[0]!.jetstream().publish(subject(id), Buffer.alloc(0)));
      await jsm.streams.purge(stream(id));
      return conns.map((nc) => {
        const js = nc.jetstream();
        return {
          async send(records) {
            await Promise.all(records.map((r) => js.publish(subject(id), r)));
          },
          close: () => nc.close(),
        };
      });
    },
    async count(id) {
      return (await jsm.streams.info(stream(id))).state.messages;
    },
    async drop(id) {
      await jsm.streams.delete(stream(id));
    },
    close: () => admin.close(),
  };
}

/** Redis streams through node-redis: one XADD per record, auto-pipelined when issued in the same tick. */
export async function redisSystem(name: string, url: string, pids: number[]): Promise<PeerSystem> {
  const admin = await createRedis({ url }).connect();
  const aof = await admin.configGet(['appendonly', 'appendfsync']);
  if (aof.appendonly !== 'yes' || aof.appendfsync !== 'everysec') throw new Error(`${name}: AOF is ${JSON.stringify(aof)}, wanted appendonly yes, appendfsync everysec`);
  const key = (id: string): string => `peers:${id}`;
  return {
    name, pids,
    operation: 'the batch\'s records as that many XADD commands pipelined at once, awaited together',
    ack: 'XADD reply: in memory and written to the AOF (fsync every second)',
    async open(id, n) {
      await admin.del(key(id));
      const clients = await Promise.all(Array.from({ length: n }, () => createRedis({ url }).connect()));
      return clients.map((c) => ({
        async send(records) {
          await Promise.all(records.map((r) => c.xAdd(key(id), '*', { v: r })));
        },
        async close() {
          c.destroy();
        },
      }));
    },
    async count(id) {
      return admin.xLen(key(id));
    },
    async drop(id) {
      await admin.del(key(id));
    },
    async close() {
      admin.destroy();
    },
  };
}
