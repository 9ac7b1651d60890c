/**
 * Event-loop delay as a Prometheus histogram: how long the loop took to come back to a 1 ms timer,
 * sampled by `perf_hooks.monitorEventLoopDelay` (an HDR histogram kept in C++, nothing per request).
 * Every request on a node shares one JavaScript thread, so a long synchronous stretch (a big write, a
 * GC pause, a slow handler) delays every other request by as much: this is where produce p99 >> p50
 * shows up first.
 *
 *   vonnegut_event_loop_delay_seconds_bucket{le=...}, _sum, _count   cumulative since start, as any histogram
 *   vonnegut_event_loop_delay_max_seconds                           longest delay since the previous scrape
 *
 * At each scrape the HDR window is folded into the cumulative buckets and reset: the count at or below a
 * bucket bound is the window's count times the largest percentile whose value is within the bound
 * (HDR keeps values to about 1%). Each sample is one turn of the 1 ms timer, so an idle loop sits near
 * 1 ms and anything well above it is time the loop spent elsewhere.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import client from 'prom-client';

/** Sampling timer period in milliseconds. */
export const LOOP_DELAY_RESOLUTION_MS = 1;
/** Bucket upper bounds in seconds: from an idle loop's ~1 ms turn to multi-second stalls. */
export const LOOP_DELAY_BUCKETS = [0.0015, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const NAME = 'vonnegut_event_loop_delay_seconds';
const HELP = 'Event-loop delay: time for the loop to come back to a 1 ms timer (perf_hooks.monitorEventLoopDelay)';

/** The largest percentile (0..100) of `h` whose value is at most `boundNs`; binary search, HDR is monotone. */
function percentileWithin(h: IntervalHistogram, boundNs: number): number {
  if (h.max <= boundNs) return 100;
  if (h.min > boundNs) return 0;
  let lo = 0;
  let hi = 100;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (h.percentile(Math.max(mid, 1e-9)) <= boundNs) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The histogram and the window maximum, computed at scrape time from the HDR histogram. */
class LoopDelayCollector {
  readonly name = NAME;
  readonly help = HELP;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly cumulative = LOOP_DELAY_BUCKETS.map(() => 0);
  private count = 0;
  private sumSeconds = 0;
  /** Longest delay (seconds) of the last folded window. */
  windowMax = 0;

  constructor(private readonly h: IntervalHistogram) {}

  /** Folds the samples since the previous call into the cumulative buckets and starts a new window. */
  private fold(): void {
    const n = this.h.count;
    this.windowMax = n === 0 ? 0 : this.h.max / 1e9;
    if (n > 0) {
      LOOP_DELAY_BUCKETS.forEach((b, i) => {
        this.cumulative[i]! += Math.round((n * percentileWithin(this.h, b * 1e9)) / 100);
      });
      this.count += n;
      this.sumSeconds += (this.h.mean * n) / 1e9;
    }
    this.h.reset();
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: { labels: Record<string, string | number>; value: number; metricName: string }[] } {
    this.fold();
    const bucket = `${NAME}_bucket`;
    return {
      name: NAME, help: HELP, type: this.type, aggregator: this.aggregator,
      values: [
        ...LOOP_DELAY_BUCKETS.map((b, i) => ({ labels: { le: b }, value: this.cumulative[i]!, metricName: bucket })),
        { labels: { le: '+Inf' }, value: this.count, metricName: bucket },
        { labels: {}, value: this.sumSeconds, metricName: `${NAME}_sum` },
        { labels: {}, value: this.count, metricName: `${NAME}_count` },
      ],
    };
  }
}

/** Registers the event-loop delay series on `registry` and starts sampling; `stop()` ends it. */
export function registerEventLoopDelay(registry: client.Registry): { stop(): void } {
  const h = monitorEventLoopDelay({ resolution: LOOP_DELAY_RESOLUTION_MS });
  h.enable();
  const collector = new LoopDelayCollector(h);
  // prom-client formats any object with name/help/type and get(); its typings only name its own classes.
  registry.registerMetric(collector as unknown as client.Metric);
  new client.Gauge({
    name: 'vonnegut_event_loop_delay_max_seconds',
    help: 'Longest event-loop delay in the window between the previous two scrapes of vonnegut_event_loop_delay_seconds',
    registers: [registry],
    collect() {
      this.set(collector.windowMax);
    },
  });
  return { stop: () => h.disable() };
}
