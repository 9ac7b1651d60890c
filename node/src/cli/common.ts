/**
 * What the client subcommands share: the `--bootstrap`/`--dns-server` options, building a client from
 * them, a progress bar on stderr, and turning failures into one line and an exit code.
 */
import cliProgress from 'cli-progress';
import { Option, type Command } from 'commander';
import fs from 'node:fs';
import { createClient, type Client, type ClientOptions } from '../client/client.ts';
import { KafkaError } from '../protocol/errors.ts';
import { SASL_MECHANISMS, isSaslMechanism } from '../security/sasl/mechanism.ts';

/** Where the CLI looks when neither --bootstrap nor VONNEGUT_BOOTSTRAP is given. */
export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092';

export interface ClientFlags {
  bootstrap: string;
  dnsServer?: string;
  clientId: string;
  tls?: boolean;
  tlsCaFile?: string;
  saslMechanism?: string;
  saslUsername?: string;
  saslPassword?: string;
}

/** Adds the connection options every client subcommand takes. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-b, --bootstrap <endpoints>', 'srv:RECORD, host:port,... or a DNS name:port').env('VONNEGUT_BOOTSTRAP').default(DEFAULT_BOOTSTRAP))
    .addOption(new Option('--dns-server <host:port>', 'DNS server for srv: and name lookups').env('VONNEGUT_DNS_SERVER'))
    .option('--client-id <id>', 'client id sent to the brokers', 'vonnegut-cli')
    .addOption(new Option('--tls', 'connect with TLS (implied by --tls-ca-file)'))
    .addOption(new Option('--tls-ca-file <file>', 'PEM CA bundle to verify the nodes against').env('VONNEGUT_TLS_CA_FILE'))
    .addOption(new Option('--sasl-mechanism <m>', 'SASL mechanism when --sasl-username is given').choices([...SASL_MECHANISMS]).default('SCRAM-SHA-512'))
    .addOption(new Option('--sasl-username <name>', 'log in with SASL as this user').env('VONNEGUT_SASL_USERNAME'))
    // From the environment rather than the command line, where every user of the machine can read it.
    .addOption(new Option('--sasl-password <password>', 'password for --sasl-username (prefer the env variable)').env('VONNEGUT_SASL_PASSWORD'));
}

/** The TLS and SASL options the flags ask for; throws UsageError when they are incomplete. */
export function securityFrom(flags: ClientFlags): Pick<ClientOptions, 'tls' | 'sasl'> {
  const out: Pick<ClientOptions, 'tls' | 'sasl'> = {};
  if (flags.tlsCaFile) {
    try {
      out.tls = { ca: fs.readFileSync(flags.tlsCaFile) };
    } catch (err) {
      throw new UsageError(`cannot read --tls-ca-file ${flags.tlsCaFile}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  } else if (flags.tls) {
    out.tls = true;
  }
  if (flags.saslUsername !== undefined) {
    if (flags.saslPassword === undefined) throw new UsageError('--sasl-username needs a password: set VONNEGUT_SASL_PASSWORD (or --sasl-password)');
    const mechanism = flags.saslMechanism ?? 'SCRAM-SHA-512';
    if (!isSaslMechanism(mechanism)) throw new UsageError(`--sasl-mechanism must be one of ${SASL_MECHANISMS.join(', ')}`);
    out.sasl = { mechanism, username: flags.saslUsername, password: flags.saslPassword };
  }
  return out;
}

/** A client for the flags; the caller closes it. */
export function clientFrom(flags: ClientFlags): Promise<Client> {
  return createClient({ endpoints: flags.bootstrap, clientId: flags.clientId, ...(flags.dnsServer ? { dnsServer: flags.dnsServer } : {}), ...securityFrom(flags) });
}

/** Parses an integer flag, failing with the flag's name. */
export function intFlag(value: string | undefined, name: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return n;
}

/** A mistake on the command line (exit code 2). */
export class UsageError extends Error {}

/** Runs a command body: failures print one line (with the Kafka code name) and set the exit code. */
export async function runCommand(body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const e = err as Error;
    const detail = err instanceof KafkaError ? ` (${err.codeName}, code ${err.code})` : '';
    console.error(`vonnegut: ${e.message}${detail}`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

export interface Bar {
  /** Moves the bar to `value` of `total`. */
  update(value: number, total?: number): void;
  stop(): void;
}

/** A bar that shows nothing. */
export const NO_PROGRESS: Bar = { update: () => {}, stop: () => {} };

/** A progress bar on stderr when it is a terminal or `forced`, else a no-op. */
export function progressBar(unit: string, total: number, forced = false): Bar {
  if (!forced && !process.stderr.isTTY) return NO_PROGRESS;
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: `[{bar}] {percentage}% | {value}/{total} ${unit} | {eta_formatted}`, hideCursor: true, noTTYOutput: forced, notTTYSchedule: 1000 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  let stopped = false;
  return {
    update(value, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(value);
    },
    stop() {
      if (!stopped) bar.stop();
      stopped = true;
    },
  };
}
