import test from 'ava';
import client from 'prom-client';
import { DeferredHistogram } from '../../src/metrics/deferred-histogram.ts';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The exposition lines of one registry, without the HELP/TYPE header. */
async function lines(registry: client.Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((l) => l !== '' && !l.startsWith('#'));
}

test('the same observations give exactly prom-client Histogram exposition (buckets, +Inf, sum, count per label)', async (t) => {
  const ours = new client.Registry();
  const theirs = new client.Registry();
  const deferred = new DeferredHistogram('x_seconds', 'help', 'api', BUCKETS, [ours]);
  const reference = new client.Histogram({ name: 'x_seconds', help: 'help', labelNames: ['api'], buckets: BUCKETS, registers: [theirs] });
  // On a bound, between bounds, above every bound, for two label values.
  const observations: [string, number][] = [['Produce', 0.0005], ['Produce', 0.001], ['Produce', 0.05], ['Fetch', 2], ['Produce', 7], ['Fetch', 0.01]];
  for (const [api, v] of observations) {
    deferred.observe(api, v);
    reference.observe({ api }, v);
  }
  const got = await lines(ours);
  t.deepEqual(got, await lines(theirs));
  t.true(got.includes('x_seconds_bucket{le="0.001",api="Produce"} 2'));
  t.true(got.includes('x_seconds_bucket{le="+Inf",api="Fetch"} 2'));
  t.true(got.includes('x_seconds_count{api="Produce"} 4'));
});

test('scrapes are cumulative and reset empties the histogram', async (t) => {
  const registry = new client.Registry();
  const h = new DeferredHistogram('y_seconds', 'help', 'api', BUCKETS, [registry]);
  h.observe('Produce', 0.5);
  t.true((await lines(registry)).includes('y_seconds_count{api="Produce"} 1'));
  h.observe('Produce', 0.5);
  t.true((await lines(registry)).includes('y_seconds_count{api="Produce"} 2'));
  registry.resetMetrics();
  t.deepEqual(await lines(registry), []);
});
