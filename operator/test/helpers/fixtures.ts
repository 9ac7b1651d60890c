// VonnegutChain objects shared by the tests.
import { API_VERSION, KIND, type VonnegutChain, type VonnegutChainSpec } from '../../src/crd/types.ts';
import type { FakeApiServer } from './fake-apiserver.ts';
import { reportLeaseName } from '../../src/names.ts';

/** A VonnegutChain as the API server would return it. */
export function vgc(name: string, spec: Partial<VonnegutChainSpec> = {}, namespace = 'ns1'): VonnegutChain {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace, uid: `uid-${name}`, generation: 1 },
    spec: { chains: 3, replicas: 3, ...spec },
  };
}

/** The report Leases of `chain`'s pods (of cluster `cluster`) as their sidecars write them once drained: no topics left. */
export function putDrainedPods(api: FakeApiServer, namespace: string, cluster: string, chain: string, members: number): void {
  for (let i = 0; i < members; i++) {
    api.put({
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
      metadata: {
        name: reportLeaseName(`${chain}-${i}`), namespace,
        labels: { 'app.kubernetes.io/managed-by': 'vonnegut-operator', 'vonnegut.io/cluster': cluster, 'vonnegut.io/chain': chain },
        annotations: { 'vonnegut.io/status': JSON.stringify({ nodeName: `${chain}-${i}`, chain, members: [], writable: false, draining: false, drained: true, topics: 0, partitions: [], updatedAt: '' }) },
      },
    });
  }
}
