/**
 * A chain of real node processes on 127.0.0.x addresses (one "host" each, all on one port), found
 * through SRV records served by a real dnsmasq, as a Kubernetes headless service would publish them.
 */
import net from 'node:net';
import { DnsServer } from './dns.ts';
import { NodeProcess } from './node-process.ts';
import { waitFor } from './tools.ts';
import { freePort } from './ports.ts';

/** How long one /v1/status request may take before the member counts as not answering. */
const STATUS_TIMEOUT_MS = 10_000;

export interface NodeStatus {
  role: string;
  members: string[];
  writable: boolean;
  epoch: number;
  partitions: { topic: string; partition: number; logStartOffset: number; logEndOffset: number; highWatermark: number }[];
}

/** A port free on every one of these addresses. */
export async function portFreeOn(addresses: string[]): Promise<number> {
  for (;;) {
    const port = await freePort(addresses[0]);
    const ok = await Promise.all(
      addresses.map((a) => new Promise<boolean>((resolve) => {
        const s = net.createServer();
        s.once('error', () => resolve(false));
        s.listen(port, a, () => s.close(() => resolve(true)));
      })),
    );
    if (ok.every(Boolean)) return port;
  }
}

export class ChainCluster {
  readonly nodes: NodeProcess[] = [];
  port = 0;
  private readonly ownsDns: boolean;
  readonly dns: DnsServer;

  constructor(
    readonly name: string,
    readonly replicas: number,
    /** Node i listens on 127.0.<subnet>.<10+i>. */
    readonly subnet: number,
    /** Shared with the other chains of a cluster; a chain alone gets its own. */
    dns?: DnsServer,
    /** Extra `serve` flags for every member (e.g. `--cluster`), read when a member (re)starts. */
    public extraArgs: string[] = [],
  ) {
    this.ownsDns = !dns;
    this.dns = dns ?? new DnsServer();
  }

  get srvName(): string {
    return `_kafka._tcp.${this.name}.test`;
  }

  address(i: number): string {
    return `127.0.${this.subnet}.${10 + i}`;
  }

  /** Publishes SRV records for members 0..count-1. */
  async publish(count: number): Promise<void> {
    await this.dns.setSrv(this.srvName, Array.from({ length: count }, (_, i) => ({ target: `${this.name}-${i}.${this.name}.test`, address: this.address(i), port: this.port })));
  }

  /** Starts `count` members (all published in DNS) and waits until the head can take writes. */
  async start(count: number, waitWritable = true): Promise<void> {
    this.port = await portFreeOn(Array.from({ length: count + 2 }, (_, i) => this.address(i)));
    await this.publish(count);
    await Promise.all(Array.from({ length: count }, (_, i) => this.addNode(i)));
    if (waitWritable) await this.waitWritable();
  }

  /** Creates (and starts) member i. */
  async addNode(i: number): Promise<NodeProcess> {
    const base = ['--node-name', `${this.name}-${i}`, '--chain', this.name, '--discovery', `srv:${this.srvName}`, '--dns-server', this.dns.address, '--replicas', String(this.replicas), '--discovery-refresh-ms', '300'];
    const node = new NodeProcess({
      host: this.address(i),
      port: this.port,
      adminPort: 0,
      // Read at each (re)start, so a rolling restart picks up a changed cluster list.
      args: () => [...base, ...this.extraArgs],
    });
    this.nodes[i] = node;
    await node.start();
    return node;
  }

  /** The node's chain view from its admin API. */
  async status(i: number): Promise<NodeStatus> {
    // A deadline: a SIGSTOPped member accepts the connection (kernel backlog) and never answers.
    const res = await fetch(`http://127.0.0.1:${this.nodes[i]!.adminPort}/v1/status`, { signal: AbortSignal.timeout(STATUS_TIMEOUT_MS) });
    return (await res.json()) as NodeStatus;
  }

  /** Waits until the head reports the chain writable. */
  async waitWritable(timeoutMs = 60_000): Promise<void> {
    await waitFor('chain writable', async () => ((await this.status(0)).writable ? true : undefined), timeoutMs);
  }

  /** High-water mark of a partition on member i. */
  async hwm(i: number, topic: string, partition = 0): Promise<number> {
    const s = await this.status(i);
    return s.partitions.find((p) => p.topic === topic && p.partition === partition)?.highWatermark ?? 0;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n?.destroy()));
    if (this.ownsDns) await this.dns.destroy();
  }
}
