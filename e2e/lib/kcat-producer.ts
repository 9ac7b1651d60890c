/**
 * Continuous idempotent acks=all load from kcat (librdkafka), with the records it had acknowledged known
 * to the test. Lines `<prefix>-<n>` go to kcat's stdin one every `intervalMs`; with -vvv kcat prints one
 * delivery report per acknowledged message ("Message delivered to partition P (offset O) on broker B").
 * With enable.idempotence librdkafka delivers (and reports) a partition's messages in the order they were
 * produced, and message.timeout.ms=0 makes it retry a message until it is delivered instead of failing
 * it, so the k-th report acknowledges the k-th line; a "Delivery failed" report is counted, and breaks
 * that correspondence, so tests assert there was none.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor } from './tools.ts';

/** One acknowledged kcat message: its value and the offset the delivery report gave it. */
export interface KcatDelivery {
  value: string;
  offset: number;
}

const DELIVERED = /Message delivered to partition (\d+) \(offset (-?\d+)\)/;
const FAILED = /Delivery failed for message/;

export class KcatProducer {
  readonly delivered: KcatDelivery[] = [];
  /** Delivery reports with an error (librdkafka gave a message up). */
  failed = 0;
  /** kcat's log lines that are not delivery reports (the tail of them, for failure messages). */
  log = '';
  private sent = 0;
  private readonly child: ChildProcess;
  private readonly timer: NodeJS.Timeout;
  private readonly exited: Promise<number | null>;

  /** Starts kcat producing to partition 0 of `topic` through the brokers in `bootstrap` (host:port,...). */
  constructor(bootstrap: string, topic: string, private readonly prefix: string, intervalMs = 20) {
    this.child = spawn('kcat', [
      '-P', '-b', bootstrap, '-t', topic, '-p', '0', '-E', '-vvv',
      '-X', 'enable.idempotence=true', '-X', 'acks=all', '-X', 'message.timeout.ms=0',
    ], { stdio: ['pipe', 'ignore', 'pipe'] });
    let partial = '';
    this.child.stderr!.on('data', (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop()!;
      for (const line of lines) this.onLine(line);
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    // A closed pipe (kcat gone) surfaces in stop() through the exit code, not as an unhandled error.
    this.child.stdin!.on('error', () => undefined);
    this.timer = setInterval(() => this.child.stdin!.write(`${this.prefix}-${this.sent++}\n`), intervalMs);
  }

  private onLine(line: string): void {
    const m = DELIVERED.exec(line);
    if (m) {
      this.delivered.push({ value: `${this.prefix}-${this.delivered.length}`, offset: Number(m[2]) });
      return;
    }
    if (FAILED.test(line)) this.failed++;
    this.log = (this.log + line + '\n').slice(-8000);
  }

  /** The acknowledged values, in the order kcat produced them. */
  get values(): string[] {
    return this.delivered.map((d) => d.value);
  }

  /** Resolves once `more` messages beyond now are acknowledged. */
  progress(more: number, timeoutMs = 90_000): Promise<true> {
    const target = this.delivered.length + more;
    return waitFor(`${more} more kcat deliveries`, () => (this.delivered.length >= target ? true : undefined), timeoutMs, 20);
  }

  /** Kills kcat at once (test cleanup). */
  kill(): void {
    clearInterval(this.timer);
    this.child.kill('SIGKILL');
  }

  /** Stops feeding lines and closes kcat's stdin: kcat delivers what it holds and exits; resolves with its exit code. */
  async stop(timeoutMs = 120_000): Promise<number | null> {
    clearInterval(this.timer);
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
