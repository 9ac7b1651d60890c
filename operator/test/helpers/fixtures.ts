// VonnegutChain objects shared by the tests.
import { API_VERSION, KIND, type VonnegutChain, type VonnegutChainSpec } from '../../src/crd/types.ts';

/** A VonnegutChain as the API server would return it. */
export function vgc(name: string, spec: Partial<VonnegutChainSpec> = {}, namespace = 'ns1'): VonnegutChain {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace, uid: `uid-${name}`, generation: 1 },
    spec: { chains: 3, replicas: 3, ...spec },
  };
}
