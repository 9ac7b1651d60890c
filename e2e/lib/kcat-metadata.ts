/**
 * What an unmodified librdkafka client learns from Metadata: `kcat -L -J` asked at one node.
 */
import { run } from './tools.ts';

/** topic -> leader broker `host:port` (or `unknown <id>`), as kcat -L sees it from one node. */
export async function leadersSeenFrom(address: string): Promise<Map<string, string>> {
  const meta = await run('kcat', ['-b', address, '-L', '-J'], { timeoutMs: 30_000 });
  const json = JSON.parse(meta.stdout.toString()) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: { leader: number }[] }[] };
  const byId = new Map(json.brokers.map((b) => [b.id, b.name]));
  return new Map(json.topics.map((t) => [t.topic, byId.get(t.partitions[0]!.leader) ?? `unknown ${t.partitions[0]!.leader}`]));
}
