import test from 'ava';
import client from 'prom-client';
import { LOOP_DELAY_BUCKETS, registerEventLoopDelay } from '../../src/metrics/event-loop-delay.ts';

/** Keeps the event loop busy for `ms` (the stall the metric must see). */
function blockLoop(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) { /* synchronous work, as a big write or a GC pause would be */ }
}

interface Scrape {
  /** Cumulative count per `le` bound, '+Inf' last. */
  buckets: Map<string, number>;
  count: number;
  sum: number;
  max: number;
}

async function scrape(registry: client.Registry): Promise<Scrape> {
  const metrics = await registry.getMetricsAsJSON();
  const h = metrics.find((m) => m.name === 'vonnegut_event_loop_delay_seconds')!;
  const max = metrics.find((m) => m.name === 'vonnegut_event_loop_delay_max_seconds')!;
  const values = h.values as { labels: Record<string, string | number>; value: number; metricName?: string }[];
  const of = (suffix: string) => values.filter((v) => v.metricName === `vonnegut_event_loop_delay_seconds${suffix}`);
  return {
    buckets: new Map(of('_bucket').map((v) => [String(v.labels.le), v.value])),
    count: of('_count')[0]!.value,
    sum: of('_sum')[0]!.value,
    max: max.values[0]!.value,
  };
}

/** Resolves after the loop has turned `n` times through its timers phase. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setTimeout(r, 2));
}

test('a 250 ms synchronous stall lands above the 100 ms bucket and is the window maximum; buckets stay cumulative', async (t) => {
  const registry = new client.Registry();
  const delay = registerEventLoopDelay(registry);
  t.teardown(() => delay.stop());
  await turns(5);
  blockLoop(250);
  await turns(5);
  const first = await scrape(registry);
  t.deepEqual([...first.buckets.keys()], [...LOOP_DELAY_BUCKETS.map(String), '+Inf']);
  t.true(first.count > 0);
  t.is(first.buckets.get('+Inf'), first.count);
  t.true(first.buckets.get('0.1')! <= first.count - 1, `le=0.1 holds ${first.buckets.get('0.1')} of ${first.count}`);
  t.true(first.max >= 0.24, `max ${first.max} s`);
  t.true(first.sum >= 0.24, `sum ${first.sum} s`);
  const counts = [...first.buckets.values()];
  t.deepEqual([...counts].sort((a, b) => a - b), counts, 'non-decreasing over le');

  // The next window starts empty: its maximum no longer holds the stall, while the buckets only grow.
  await turns(5);
  const second = await scrape(registry);
  t.true(second.count > first.count);
  t.true(second.max < first.max, `second window max ${second.max} s`);
  for (const [le, n] of first.buckets) t.true(second.buckets.get(le)! >= n, `le=${le}`);
});
