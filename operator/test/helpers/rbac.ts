// RBAC as the API server sees it: which (verb, group, resource) a recorded request needs, and which
// a rendered Role or ClusterRole grants. Lets a test derive least privilege from what the code did.
import type { RequestRecord } from './fake-apiserver.ts';

export interface PolicyRule { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] }

/** `verb group/resource[/subresource]`, the unit RBAC grants (core group written as ""). */
export type Permission = string;

const permission = (verb: string, group: string, resource: string): Permission => `${verb} ${group}/${resource}`;

/**
 * The permissions a request needs; none for discovery (/api, /apis/<g>/<v>), which every
 * authenticated user may read. A server-side apply needs `create` as well as `patch`: the API server
 * asks for `create` when the object does not exist yet, which is the case for the first apply.
 */
export function requiredPermissions(r: Pick<RequestRecord, 'method' | 'path' | 'query' | 'contentType'>): Permission[] {
  const parts = r.path.split('/').filter((p) => p !== '');
  let group: string;
  let rest: string[];
  if (parts[0] === 'api') [group, rest] = ['', parts.slice(2)];
  else if (parts[0] === 'apis') [group, rest] = [parts[1] ?? '', parts.slice(3)];
  else throw new Error(`unexpected path ${r.path}`);
  if (rest[0] === 'namespaces' && rest.length >= 3) rest = rest.slice(2);
  if (rest.length === 0) return [];
  const [resource, name, sub] = rest as [string, string | undefined, string | undefined];
  const res = sub ? `${resource}/${sub}` : resource;
  switch (r.method) {
    case 'GET':
      if (name) return [permission('get', group, res)];
      return [permission(r.query.get('watch') === 'true' || r.query.get('watch') === '1' ? 'watch' : 'list', group, res)];
    case 'PATCH':
      return r.contentType.startsWith('application/apply-patch')
        ? [permission('patch', group, res), permission('create', group, res)]
        : [permission('patch', group, res)];
    case 'POST': return [permission('create', group, res)];
    case 'PUT': return [permission('update', group, res)];
    case 'DELETE': return [permission(name ? 'delete' : 'deletecollection', group, res)];
    default: throw new Error(`unexpected method ${r.method} ${r.path}`);
  }
}

/** Every permission the rules grant, expanded (rules restricted to resourceNames are kept apart). */
export function grantedPermissions(rules: PolicyRule[]): { any: Set<Permission>; named: Map<Permission, string[]> } {
  const any = new Set<Permission>();
  const named = new Map<Permission, string[]>();
  for (const rule of rules) {
    for (const g of rule.apiGroups) for (const res of rule.resources) for (const v of rule.verbs) {
      const p = permission(v, g, res);
      if (rule.resourceNames) named.set(p, [...(named.get(p) ?? []), ...rule.resourceNames]);
      else any.add(p);
    }
  }
  return { any, named };
}
