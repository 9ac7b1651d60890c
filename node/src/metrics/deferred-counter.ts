/**
 * A Prometheus counter whose hot path is one Map update: sums wait in plain numbers and reach the
 * prom-client counter when the registry collects (a scrape). prom-client's own `inc` validates and
 * hashes the label object on every call, which measured several times the cost of encoding the
 * response a request is counted for (`npm run bench:metrics`).
 */
import client from 'prom-client';

interface Pending {
  values: string[];
  n: number;
}

export class DeferredCounter<L extends string> {
  readonly counter: client.Counter<L>;
  /** One entry per label-value combination ever seen, kept (at 0) between scrapes so the map does not churn. */
  private readonly pending = new Map<string, Pending>();

  constructor(cfg: { name: string; help: string; labelNames: L[]; registers: client.Registry[] }) {
    const pending = this.pending;
    const names = cfg.labelNames;
    this.counter = new client.Counter<L>({
      ...cfg,
      collect() {
        for (const p of pending.values()) {
          if (p.n === 0) continue;
          const labels: Partial<Record<L, string>> = {};
          names.forEach((name, i) => (labels[name] = p.values[i]!));
          this.inc(labels, p.n);
          p.n = 0;
        }
      },
    });
  }

  /** Adds `n` to the series with label values `a` (and `b`), in `labelNames` order. */
  add(n: number, a: string, b?: string): void {
    // NUL cannot occur in topic names, API names or error names, so the joined key is unambiguous.
    const key = b === undefined ? a : `${a}\0${b}`;
    const p = this.pending.get(key);
    if (p) p.n += n;
    else this.pending.set(key, { values: b === undefined ? [a] : [a, b], n });
  }
}
