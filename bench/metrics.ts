/**
 * Metrics overhead benchmark: what the node's per-request metrics cost, against encoding the same
 * response with the real codec (the work every request already does), same process, same run.
 *
 *   npm run bench:metrics -- [--iterations 200000] [--rounds 5] [--json]
 *
 * Metrics side, as the router and broker report them: `vonnegut_requests_total` and the latency
 * histogram once per request, the response walk for `vonnegut_request_errors_total`, and the
 * per-partition topic counters (bytes/records in for Produce, out for Fetch, records counted from batch
 * headers), through two sinks: `node` is NodeMetrics (DeferredCounters), `direct` the same series with
 * prom-client's labelled `inc` on every call. Baseline: the response written by its encoder into a
 * router-sized Writer. Shapes: a one-partition Produce, a
 * 100-partition Produce with every partition failing (the walk's worst case: every code is counted),
 * and a 100-partition Fetch with a 16 KiB batch of 100 records in each partition.
 * Rounds alternate the two sides; the median round of each is reported.
 */
import { parseArgs } from 'node:util';
import { encodeFetchResponse, type FetchResponse } from '../node/src/protocol/apis/fetch.ts';
import { encodeProduceResponse, type ProduceResponse } from '../node/src/protocol/apis/produce.ts';
import { ErrorCode } from '../node/src/protocol/error-codes.ts';
import { encodeRecordBatch, recordCount } from '../node/src/protocol/record-batch.ts';
import { Writer } from '../node/src/protocol/writer.ts';
import client from 'prom-client';
import { NodeMetrics } from '../node/src/metrics/node-metrics.ts';
import { forEachResponseError } from '../node/src/metrics/response-errors.ts';
import { medianOf } from './lib/measure.ts';

const { values: args } = parseArgs({
  options: {
    iterations: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '5' },
    json: { type: 'boolean', default: false },
  },
});
const iterations = Number(args.iterations);
const rounds = Math.max(1, Number(args.rounds));

interface Shape {
  name: string;
  api: 'Produce' | 'Fetch';
  version: number;
  response: ProduceResponse | FetchResponse;
  encode(w: Writer): void;
}

function produceShape(name: string, partitions: number, errorCode: number): Shape {
  const response: ProduceResponse = {
    throttleTimeMs: 0,
    topics: [{
      name: 'events',
      partitions: Array.from({ length: partitions }, (_, i) => ({ index: i, errorCode, baseOffset: 1000 * i, logAppendTimeMs: -1, logStartOffset: 0, recordErrors: [], errorMessage: null })),
    }],
  };
  return { name, api: 'Produce', version: 8, response, encode: (w) => encodeProduceResponse(w, 8, response) };
}

function fetchShape(partitions: number): Shape {
  const batch = encodeRecordBatch({ records: Array.from({ length: 100 }, (_, i) => ({ value: Buffer.alloc(160, i) })) });
  const response: FetchResponse = {
    throttleTimeMs: 0,
    errorCode: 0,
    sessionId: 0,
    topics: [{
      topic: 'events',
      partitions: Array.from({ length: partitions }, (_, i) => ({ partitionIndex: i, errorCode: 0, highWatermark: 100, lastStableOffset: 100, logStartOffset: 0, abortedTransactions: [], preferredReadReplica: -1, records: batch })),
    }],
  };
  return { name: `Fetch, ${partitions} partitions x ${(batch.length / 1024).toFixed(0)} KiB`, api: 'Fetch', version: 11, response, encode: (w) => encodeFetchResponse(w, 11, response) };
}

const shapes: Shape[] = [
  produceShape('Produce, 1 partition', 1, 0),
  produceShape('Produce, 100 partitions, all NOT_ENOUGH_REPLICAS', 100, ErrorCode.NOT_ENOUGH_REPLICAS.code),
  fetchShape(100),
];

/** What a request reports, as the router and broker call it; `sink` is either implementation. */
function report(sink: Sink, shape: Shape): void {
  sink.request(shape.api, 'ok', 0.0012);
  forEachResponseError(shape.response, (error) => sink.requestError(shape.api, error));
  if (shape.api === 'Produce') {
    for (const t of (shape.response as ProduceResponse).topics) {
      for (const p of t.partitions) if (p.errorCode === 0) sink.produced(t.name, 16_000, 100);
    }
  } else {
    for (const t of (shape.response as FetchResponse).topics) {
      for (const p of t.partitions) if (p.records) sink.fetched(t.topic, p.records.length, recordCount(p.records));
    }
  }
}

type Sink = Pick<NodeMetrics, 'request' | 'requestError' | 'produced' | 'fetched'>;

/** The same series with prom-client's labelled `inc` on every call (the first implementation). */
function directSink(): Sink {
  const registers = [new client.Registry()];
  const counter = <L extends string>(name: string, labelNames: L[]) => new client.Counter<L>({ name, help: name, labelNames, registers });
  const requests = counter('requests_total', ['api', 'outcome']);
  const errors = counter('errors_total', ['api', 'error']);
  const seconds = new client.Histogram<'api'>({ name: 'seconds', help: 'seconds', labelNames: ['api'], buckets: [0.001, 0.01, 0.1, 1], registers });
  const [bytesIn, recordsIn, bytesOut, recordsOut] = ['bi_total', 'ri_total', 'bo_total', 'ro_total'].map((n) => counter(n, ['topic'])) as [client.Counter<'topic'>, client.Counter<'topic'>, client.Counter<'topic'>, client.Counter<'topic'>];
  return {
    request: (api, outcome, s) => {
      requests.inc({ api, outcome });
      seconds.observe({ api }, s);
    },
    requestError: (api, error) => errors.inc({ api, error }),
    produced: (topic, bytes, records) => {
      bytesIn.inc({ topic }, bytes);
      recordsIn.inc({ topic }, records);
    },
    fetched: (topic, bytes, records) => {
      bytesOut.inc({ topic }, bytes);
      recordsOut.inc({ topic }, records);
    },
  };
}

/** Nanoseconds per call of `fn`, over `iterations` calls. */
function nsPerOp(fn: () => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

const results = shapes.map((shape) => {
  const node = new NodeMetrics();
  const direct = directSink();
  const encode = () => shape.encode(new Writer(512, { keepBytesOver: 4096 }));
  const sides = { encode, node: () => report(node, shape), direct: () => report(direct, shape) };
  const runs = { encode: [] as number[], node: [] as number[], direct: [] as number[] };
  // One untimed pass of each warms the JIT and creates every label set.
  for (const fn of Object.values(sides)) nsPerOp(fn);
  for (let r = 0; r < rounds; r++) {
    for (const side of ['encode', 'node', 'direct'] as const) runs[side].push(nsPerOp(sides[side]));
  }
  const encodeNs = medianOf(runs.encode);
  const nodeNs = medianOf(runs.node);
  const directNs = medianOf(runs.direct);
  return { shape: shape.name, encodeNs, nodeNs, directNs, nodeVsEncode: nodeNs / encodeNs, directVsEncode: directNs / encodeNs };
});

if (args.json) {
  console.log(JSON.stringify({ iterations, rounds, results }, null, 2));
} else {
  console.log(`metrics per request against encoding the response (median of ${rounds} rounds x ${iterations} requests)`);
  console.log(`${'response'.padEnd(52)}${'encode ns'.padStart(11)}${'node ns'.padStart(10)}${'/encode'.padStart(9)}${'direct ns'.padStart(11)}${'/encode'.padStart(9)}`);
  for (const r of results) {
    console.log(`${r.shape.padEnd(52)}${r.encodeNs.toFixed(0).padStart(11)}${r.nodeNs.toFixed(0).padStart(10)}${r.nodeVsEncode.toFixed(2).padStart(9)}${r.directNs.toFixed(0).padStart(11)}${r.directVsEncode.toFixed(2).padStart(9)}`);
  }
}
