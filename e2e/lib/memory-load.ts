/**
 * Representative loads for the memory test of the built image (e2e/dockerfile-replay.test.ts), and the
 * peak resident set the kernel recorded for a process (VmHWM: the high-water mark, so a short spike
 * between samples is not missed).
 */
import fs from 'node:fs';
import { createClient } from '../../node/src/index.ts';
import type { FakeApiServer } from '../../operator/test/helpers/fake-apiserver.ts';
import { vgc } from '../../operator/test/helpers/fixtures.ts';
import { waitFor } from '../../operator/test/helpers/wait.ts';

/** Peak resident set size of a live process, in MiB (Linux /proc). */
export function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmHWM for ${pid}`);
  return Number(m[1]) / 1024;
}

/** Produces `mib` MiB of 1 KiB records over `topics` topics with acks=-1, then reads everything back. */
export async function nodeLoad(address: string, mib: number, topics = 8): Promise<void> {
  const client = await createClient({ endpoints: address });
  try {
    const value = 'x'.repeat(1024);
    const batch = Array.from({ length: 256 }, () => value);
    const batches = Math.ceil((mib * 1024) / batch.length);
    await Promise.all(Array.from({ length: topics }, async (_, t) => {
      for (let i = t; i < batches; i += topics) await client.produce(`load-${t}`, batch, { acks: -1 });
    }));
    for (let t = 0; t < topics; t++) {
      let offset = 0;
      for (;;) {
        const { records, highWaterMark } = await client.fetch(`load-${t}`, { offset });
        offset += records.length;
        if (records.length === 0 || offset >= highWaterMark) break;
      }
    }
  } finally {
    await client.close();
  }
}

/** `resources` VonnegutChains of `chains` chains each, waited for until every StatefulSet is applied. */
export async function operatorLoad(api: FakeApiServer, namespace: string, resources: number, chains: number): Promise<void> {
  for (let r = 0; r < resources; r++) {
    const c = vgc(`load${r}`, { chains, replicas: 3 }, namespace);
    api.put({ apiVersion: c.apiVersion, kind: c.kind, metadata: { name: c.metadata.name, namespace }, spec: c.spec });
  }
  await waitFor('every StatefulSet applied', () => api.list('apps/v1', 'StatefulSet', namespace).length >= resources * chains, 120_000, 200);
}
