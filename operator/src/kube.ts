// The operator's only door to the API server. Everything goes through @kubernetes/client-node; the
// interface exists so reconcile reads as a sequence of intentions, and errors arrive as ApiError values.
import {
  ApiException, CustomObjectsApi, KubeConfig, KubernetesObjectApi, PatchStrategy, setHeaderOptions,
  type KubernetesListObject, type KubernetesObject,
} from '@kubernetes/client-node';
import { FIELD_MANAGER } from './names.ts';
import { GROUP, PLURAL, VERSION, type VonnegutChain, type VonnegutChainStatus } from './crd/types.ts';
import type { KindInfo } from './kinds.ts';

/** A failed API call: HTTP status (0 when no response arrived) and the server's reason. */
export class ApiError extends Error {
  constructor(readonly verb: string, readonly target: string, readonly status: number, readonly reason: string) {
    super(`${verb} ${target}: ${status === 0 ? 'no response' : `HTTP ${status}`} ${reason}`.trim());
    this.name = 'ApiError';
  }
}

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

export interface KubeClient {
  /** The VonnegutChain, or null when it no longer exists. */
  getChain(namespace: string, name: string): Promise<VonnegutChain | null>;
  /** Merge-patches the status subresource. */
  patchChainStatus(namespace: string, name: string, status: VonnegutChainStatus): Promise<void>;
  /** Server-side apply with field manager vonnegut-operator and force. */
  apply(obj: KubernetesObject): Promise<void>;
  /** Deletes an object; a missing object is not an error. */
  delete(ref: ObjectRef): Promise<void>;
  /** Lists a kind (for informers). */
  list(kind: KindInfo, namespace?: string): Promise<KubernetesListObject<KubernetesObject>>;
}

function toApiError(verb: string, target: string, err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof ApiException) {
    const body = err.body as { message?: string; reason?: string } | string | undefined;
    const reason = typeof body === 'string' ? body.slice(0, 200) : body?.message ?? body?.reason ?? '';
    return new ApiError(verb, target, err.code, reason);
  }
  return new ApiError(verb, target, 0, err instanceof Error ? err.message : String(err));
}

/** KubeClient backed by a KubeConfig (in-cluster, KUBECONFIG, or a test's loopback server). */
export function makeKubeClient(kc: KubeConfig): KubeClient {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  return {
    async getChain(namespace, name) {
      try {
        return (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: PLURAL, name })) as VonnegutChain;
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return null;
        throw toApiError('get', `${PLURAL}/${namespace}/${name}`, err);
      }
    },
    async patchChainStatus(namespace, name, status) {
      try {
        await custom.patchNamespacedCustomObjectStatus(
          { group: GROUP, version: VERSION, namespace, plural: PLURAL, name, body: { status } },
          mergePatch,
        );
      } catch (err) {
        throw toApiError('patch status', `${PLURAL}/${namespace}/${name}`, err);
      }
    },
    async apply(obj) {
      try {
        await objects.patch(obj, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
      } catch (err) {
        throw toApiError('apply', `${obj.kind}/${obj.metadata?.namespace}/${obj.metadata?.name}`, err);
      }
    },
    async delete(ref) {
      try {
        await objects.delete({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace } });
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return;
        throw toApiError('delete', `${ref.kind}/${ref.namespace}/${ref.name}`, err);
      }
    },
    async list(kind, namespace) {
      try {
        return await objects.list(kind.apiVersion, kind.kind, namespace, undefined, undefined, undefined, undefined, kind.labelSelector);
      } catch (err) {
        throw toApiError('list', `${kind.plural}${namespace ? ` in ${namespace}` : ''}`, err);
      }
    },
  };
}
