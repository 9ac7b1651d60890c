/**
 * Where topics' config overrides live on disk: one file per data directory,
 *
 *   <dataDir>/topic-configs.json    {"version":1,"topics":{"<topic>":{"retention.ms":"12345678",...}}}
 *
 * holding only the keys set for each topic (defaults are never written, so changing a broker flag
 * changes every topic that does not override it, as in Kafka). Rewritten whole on every change through
 * a temporary file, fsync and rename, so a crash leaves the old or the new file, never a torn one.
 * Changes are rare (CreateTopics with configs, AlterConfigs), so rewriting the whole file is cheap.
 */
import * as fs from 'node:fs';
import { replaceFileDurably } from './durable-replace.ts';
import * as path from 'node:path';
import type { TopicConfigOverrides } from './topic-config.ts';

export const TOPIC_CONFIGS_FILE = 'topic-configs.json';
const FORMAT_VERSION = 1;

export class TopicConfigStore {
  private readonly file: string;
  private readonly topics: Map<string, TopicConfigOverrides>;

  private constructor(file: string, topics: Map<string, TopicConfigOverrides>) {
    this.file = file;
    this.topics = topics;
  }

  /** Reads the store of a data directory (empty when the file does not exist yet). */
  static load(dataDir: string): TopicConfigStore {
    const file = path.join(dataDir, TOPIC_CONFIGS_FILE);
    const topics = new Map<string, TopicConfigOverrides>();
    if (fs.existsSync(file)) {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: number; topics?: Record<string, Record<string, unknown>> };
      if (parsed.version !== FORMAT_VERSION) throw new Error(`${file}: unsupported version ${String(parsed.version)}`);
      for (const [topic, overrides] of Object.entries(parsed.topics ?? {})) {
        topics.set(topic, Object.fromEntries(Object.entries(overrides).map(([k, v]) => [k, String(v)])));
      }
    }
    return new TopicConfigStore(file, topics);
  }

  /** A topic's overrides (empty when it has none). */
  get(topic: string): TopicConfigOverrides {
    return { ...(this.topics.get(topic) ?? {}) };
  }

  /** Replaces a topic's overrides and persists; a no-op write is skipped. */
  set(topic: string, overrides: TopicConfigOverrides): void {
    const empty = Object.keys(overrides).length === 0;
    if (JSON.stringify(this.topics.get(topic) ?? {}) === JSON.stringify(overrides)) return;
    if (empty) this.topics.delete(topic);
    else this.topics.set(topic, { ...overrides });
    this.save();
  }

  /** Forgets a deleted topic's overrides. */
  delete(topic: string): void {
    if (this.topics.delete(topic)) this.save();
  }

  private save(): void {
    const sorted = Object.fromEntries([...this.topics].sort(([a], [b]) => a.localeCompare(b)));
    replaceFileDurably(this.file, JSON.stringify({ version: FORMAT_VERSION, topics: sorted }, null, 1));
  }
}
