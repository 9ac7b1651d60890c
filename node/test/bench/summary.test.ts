/** The `vonnegut bench` summary table: the raw-disk baseline rows and every server row's ratio against them. */
import test from 'ava';
import { formatSummary, type SummaryRow } from '../../../bench/all.ts';

function row(bench: string, name: string, mibPerSec: number, vsDisk: number, ratio: number, target: number, cpuMsPerMiB = NaN): SummaryRow {
  return { bench, case: name, mibPerSec, cpuMsPerMiB, p50Ms: NaN, p99Ms: NaN, ratio, target, ok: Number.isNaN(target) || ratio >= target, vsDisk };
}

test('formatSummary prints the raw-disk rows first, server CPU per MiB and a vs-disk ratio on every row', (t) => {
  const lines = formatSummary([
    row('disk', 'raw sequential pwrite', 2000, 1, NaN, NaN),
    row('produce', '64 KiB batches, acks=1', 500, 0.25, 0.6, 0.5, 1.25),
    row('fetch', '1024 KiB fetches', 900, 0.3, 0.5, 0.7),
  ]).split('\n');
  t.deepEqual(lines[0]!.split(/\s{2,}/), ['bench', 'case', 'MiB/s', 'cpu ms/MiB', 'vs disk', 'p50 ms', 'p99 ms', 'ratio', 'target']);
  t.deepEqual(lines[1]!.split(/\s{2,}/), ['disk', 'raw sequential pwrite', '2000', '-', '1.00', '-', '-', '-', '-']);
  t.deepEqual(lines[2]!.split(/\s{2,}/), ['produce', '64 KiB batches, acks=1', '500', '1.25', '0.25', '-', '-', '0.60', '>= 0.5', 'ok']);
  t.deepEqual(lines[3]!.split(/\s{2,}/), ['fetch', '1024 KiB fetches', '900', '-', '0.30', '-', '-', '0.50', '>= 0.7', 'BELOW']);
});
