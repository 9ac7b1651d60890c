/**
 * The `vonnegut` command line (bin/vonnegut.js runs its build, dist/cli/vonnegut.js): the node's
 * commands (serve, produce, consume, topics, status) and, as peers, the operator and the sidecar that
 * run from the same image, and the benches, which exist only in a source checkout.
 */
import { Command } from 'commander';
import { program } from '../node/src/main.ts';

// Loaded only when asked for: the Kubernetes parts pull in client-node, which `serve` never needs.
const sub = process.argv[2];
if (sub === 'operator') program.addCommand((await import('../operator/src/main.ts')).operatorCommand());
if (sub === 'sidecar') program.addCommand((await import('../operator/src/sidecar/main.ts')).sidecarCommand());
if (sub === 'bench') program.addCommand(await benchCommand());

/**
 * The benches and their harness are not part of the build (a computed specifier keeps tsc from
 * following it), so from dist/ this answers with where to run them instead.
 */
async function benchCommand(): Promise<Command> {
  const source = new URL('../bench/cli.ts', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) {
    return new Command('bench').allowUnknownOption().action(() => {
      console.error('vonnegut: the benches run from a source checkout: npm run bench');
      process.exit(2);
    });
  }
  return ((await import(source.href)) as { benchCommand(): Command }).benchCommand();
}

await program.parseAsync(process.argv);
