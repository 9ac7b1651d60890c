/**
 * The `vonnegut bench` command: the produce, fetch and chain benches with one summary table, or
 * `--peers` for the same workload against NATS JetStream and Redis. cli/vonnegut.ts loads it on demand
 * from a source checkout; the built image does not carry the benches or the harness they use.
 */
import fs from 'node:fs';
import { Command } from 'commander';

/** The `bench` subcommand. */
export function benchCommand(): Command {
  return new Command('bench')
    .description('run the produce, fetch and chain benchmarks and print one summary table; --peers: vonnegut next to NATS JetStream and Redis')
    .option('--mib <n>', 'MiB per batch size and round in each bench (--peers: per system and round)', '128')
    .option('--rounds <n>', 'rounds per bench (medians are reported)', '3')
    .option('--peers', 'the same produce workload against vonnegut, NATS JetStream R1/R3 and Redis streams (needs nats-server, redis-server)')
    .option('--producers <n>', 'with --peers: concurrent producers, each with its own connection', '8')
    .option('--batch <n>', 'with --peers: records per operation, awaited before the next', '32')
    .option('--json [file]', 'write machine-readable results to FILE, or to stdout')
    .action(async (o: { mib: string; rounds: string; peers?: boolean; producers: string; batch: string; json?: boolean | string }) => {
      // With a bare --json, stdout is the JSON alone: no progress bars, no per-bench lines.
      const quiet = o.json === true;
      const emit = (text: string, value: unknown): void => {
        if (quiet) return console.log(JSON.stringify(value, null, 2));
        console.log(text);
        if (typeof o.json === 'string') {
          fs.writeFileSync(o.json, JSON.stringify(value, null, 2) + '\n');
          console.error(`results written to ${o.json}`);
        }
      };
      // Loaded on demand: the peer clients are needed only with --peers.
      if (o.peers) {
        const { runPeersBench, formatPeers, peersOptions, PeersUnavailableError, checkPeerBinaries } = await import('./peers.ts');
        let opts;
        try {
          checkPeerBinaries();
          opts = peersOptions({ mib: o.mib, rounds: o.rounds, producers: o.producers, batch: o.batch }, !quiet);
        } catch (err) {
          if (!(err instanceof PeersUnavailableError || err instanceof RangeError)) throw err;
          console.error(`vonnegut: ${err.message}`);
          process.exit(2);
        }
        const res = await runPeersBench(opts);
        emit(formatPeers(res).join('\n'), res);
        return;
      }
      const { runAllBenches, formatSummary } = await import('./all.ts');
      const res = await runAllBenches({
        mib: Number(o.mib),
        rounds: Math.max(1, Number(o.rounds)),
        progress: !quiet,
        ...(quiet ? {} : { onReport: (lines: string[]) => console.log(lines.join('\n')) }),
      });
      emit(`\nsummary\n${formatSummary(res.summary)}`, res);
    });
}
