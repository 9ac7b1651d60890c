/** Golden frames captured from real clients by scripts/capture-clients.ts (node/test/fixtures/*.json). */
import { readFileSync, readdirSync } from 'node:fs';

export interface Fixture {
  source: string;
  frames: { apiKey: number; apiVersion: number; hex: string }[];
}

const dir = new URL('../fixtures/', import.meta.url);

/** Every fixture file, by name. */
export const fixtures: [string, Fixture][] = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Fixture]);
