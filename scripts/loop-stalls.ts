/**
 * Diagnostic preload for a `vonnegut serve` process: logs every event-loop gap over 30 ms with the CPU
 * the process used during it and the GCs inside it, so a produce p99 far above p50 can be told apart as
 * the node's own work (CPU close to the gap: a synchronous stretch or a GC pause) or the machine taking
 * the core away (CPU far below the gap). vonnegut_event_loop_delay_seconds shows that gaps happen; this
 * says whose they are. Costs a 10 ms timer; nothing in node/src loads it.
 *
 *   NODE_OPTIONS="--import tsx --import $PWD/scripts/loop-stalls.ts" npm run bench:produce -- ...
 *   # each serve process writes /tmp/vonnegut-stalls-<pid>.log: "<ms since start> gap G ms cpu C ms gc T ms kinds K"
 *
 * GC kinds are perf_hooks' NODE_PERFORMANCE_GC_* values: 1 minor (scavenge), 4 major (mark-compact),
 * 8 incremental, 16 weak callbacks.
 */
import fs from 'node:fs';
import { PerformanceObserver, performance } from 'node:perf_hooks';

/** Gaps longer than this (ms) are logged; the timer asks for 10 ms turns. */
const GAP_MS = 30;
const TICK_MS = 10;

interface Gc {
  at: number;
  ms: number;
  kind: number;
}

function watch(file: string): void {
  const out = fs.openSync(file, 'w');
  const gcs: Gc[] = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      // GC entries carry { kind } in `detail` (Node 16+); the base PerformanceEntry type does not name it.
      const detail = (e as PerformanceEntry & { detail?: { kind?: number } }).detail;
      gcs.push({ at: e.startTime, ms: e.duration, kind: detail?.kind ?? 0 });
    }
  }).observe({ entryTypes: ['gc'] });
  let last = performance.now();
  let lastCpu = process.cpuUsage();
  setInterval(() => {
    const now = performance.now();
    const cpu = process.cpuUsage();
    const gap = now - last;
    if (gap > GAP_MS) {
      const inGap = gcs.filter((g) => g.at >= last - 5 && g.at <= now);
      const gcMs = inGap.reduce((n, g) => n + g.ms, 0);
      const cpuMs = (cpu.user - lastCpu.user + cpu.system - lastCpu.system) / 1000;
      fs.writeSync(out, `${now.toFixed(0)} gap ${gap.toFixed(1)} ms cpu ${cpuMs.toFixed(1)} ms gc ${gcMs.toFixed(1)} ms kinds ${inGap.map((g) => g.kind).join(',')}\n`);
    }
    while (gcs.length > 0 && gcs[0]!.at < now - 1000) gcs.shift();
    last = now;
    lastCpu = cpu;
  }, TICK_MS).unref();
}

// Only node processes (not the bench or npm that pass NODE_OPTIONS on) are watched.
if (process.argv.includes('serve')) watch(`/tmp/vonnegut-stalls-${process.pid}.log`);
