// The metric names a PromQL expression reads. No PromQL parser is installed here, so this strips what
// cannot be a metric name (strings, label matchers, ranges, grouping clauses, function calls, numbers,
// keywords) and returns the identifiers left; its own test (monitoring.test.ts) pins the cases it meets.

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'inf', 'nan', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Metric names referenced by a PromQL expression, deduplicated. */
export function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // string literals (label values, regexes)
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery selectors
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  const names = new Set<string>();
  for (const m of stripped.matchAll(/(?<![\w$.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, ident, call] = m;
    if (call || KEYWORDS.has(ident!.toLowerCase())) continue;
    names.add(ident!);
  }
  return [...names];
}

/** The metric family a sample name belongs to: histogram series map to their histogram. */
export function familyOf(name: string, histograms: ReadonlySet<string>): string {
  const m = /^(.*)_(?:bucket|sum|count)$/.exec(name);
  return m && histograms.has(m[1]!) ? m[1]! : name;
}

/** A dashboard query as Prometheus receives it from Grafana with every variable at "All". */
export function expandVariables(expr: string): string {
  return expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '1m').replace(/\$\{?(\w+)\}?/g, '.*');
}
