// `portico check` against a live cluster: one read-only LIST (paged) per kind the operator watches
// (sources/kubernetes/watched-resources.ts), Secrets only of type kubernetes.io/tls as the operator
// reads them, into the same ClusterState the manifest loader builds. Nothing is watched or written.
//
// Conflicts between Ingresses cross namespaces (an older Ingress elsewhere may own a host's path),
// so every kind is listed across all namespaces even when one namespace is checked. Someone
// allowed to read one namespace only gets its objects (and the namespaces its classes' parameters
// live in) instead, with a note saying what cannot be seen.
import { KubeConfig } from '@kubernetes/client-node';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { getJson, KubeHttpError } from '../kube/kube-http.js';
import { watchedResources } from '../sources/kubernetes/watched-resources.js';
import type { WatchedResource } from '../sources/kubernetes/watched-resources.js';
import type { ClusterState, SupportedKind, V1IngressClass } from '../store/cluster-state.js';
import { objectRef } from '../store/cluster-state.js';
import { ClusterStateBuilder } from '../store/cluster-state-builder.js';
import { API_VERSION_BY_KIND } from '../store/typed-objects.js';

export interface ClusterTarget {
  kubeconfig?: string;
  context?: string;
  /** The namespace checked; undefined: all of them (-A). */
  namespace?: string;
}

export interface ClusterRead {
  state: ClusterState;
  /** Objects the API server sent that Portico cannot read (they do not fit its schema). */
  problems: Diagnostic[];
  /** What could not be read (and so is not judged), for the reader. */
  notes: string[];
  /** The context used and its server, for the report's header. */
  context: string;
  server: string;
}

/** A problem with the command's input (kubeconfig, context, an API the user may not list): exit 2. */
export class CheckInputError extends Error {}

const PAGE_SIZE = 500;
const LIST_TIMEOUT_MS = 60_000;

/** Loads the kubeconfig as kubectl would: --kubeconfig, else KUBECONFIG or ~/.kube/config, else in-cluster. */
export function loadKubeConfig(target: Pick<ClusterTarget, 'kubeconfig' | 'context'>): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (target.kubeconfig !== undefined) kc.loadFromFile(target.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    throw new CheckInputError(`cannot read the kubeconfig${target.kubeconfig !== undefined ? ` ${target.kubeconfig}` : ''}: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (target.context !== undefined) {
    if (!kc.getContexts().some((c) => c.name === target.context)) throw new CheckInputError(`--context: the kubeconfig has no context ${JSON.stringify(target.context)}`);
    kc.setCurrentContext(target.context);
  }
  if (!kc.getCurrentCluster()?.server) throw new CheckInputError('the kubeconfig names no cluster to connect to (no current context?)');
  return kc;
}

/** The namespace kubectl would use without -n: the context's, else "default". */
export function contextNamespace(kc: KubeConfig): string {
  return kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
}

export async function readClusterState(kc: KubeConfig, namespace: string | undefined, signal?: AbortSignal): Promise<ClusterRead> {
  const builder = new ClusterStateBuilder();
  const problems: Diagnostic[] = [];
  const notes: string[] = [];
  /** Kinds that could be listed in some namespaces only, by those namespaces. */
  const restricted = new Map<string, string[]>();
  const resources = watchedResources();
  const add = (resource: WatchedResource, items: unknown[]): void => {
    for (const item of items) {
      const metadata = (item as { metadata?: { namespace?: string; name?: string } } | null)?.metadata;
      const where = objectRef(resource.kind, metadata);
      // The API server leaves apiVersion and kind out of a list's items.
      problems.push(...builder.add({ ...(item as object), apiVersion: API_VERSION_BY_KIND[resource.kind], kind: resource.kind }, where));
    }
  };
  // IngressClasses first: in a namespace-only read, their parameters say which namespaces matter.
  const classes = resources.find((r) => r.kind === 'IngressClass');
  if (!classes) throw new Error('IngressClass is not among the watched resources');
  const classItems = await listOrExplain(kc, classes, classes.path, signal);
  add(classes, classItems);
  // Parameters matter only when a class refers to them: a user who may not list them (or a cluster
  // without Portico's CRDs) can still check classes that have none.
  const referred = new Set((classItems as V1IngressClass[]).map((c) => c.spec?.parameters?.kind));
  for (const resource of resources) {
    if (resource === classes || (resource.optional && !referred.has(resource.kind))) continue;
    try {
      add(resource, await listAll(kc, resource, resource.path, signal));
    } catch (error) {
      if (resource.optional && error instanceof KubeHttpError && error.statusCode === 404) continue; // Portico's CRDs are not installed: no parameters.
      const clusterScoped = resource.kind === 'ClusterIngressClassParameters';
      if (!(error instanceof KubeHttpError && error.statusCode === 403) || namespace === undefined || clusterScoped) throw explain(resource, error);
      // Allowed to read one namespace only: read that one, and those of its classes' parameters.
      const namespaces = resource.kind === 'IngressClassParameters' ? parameterNamespaces(classItems as V1IngressClass[], namespace) : [namespace];
      for (const ns of namespaces) add(resource, await listOrExplain(kc, resource, inNamespace(resource.path, ns), signal));
      restricted.set(namespaces.join(', '), [...(restricted.get(namespaces.join(', ')) ?? []), plural(resource.kind)]);
    }
  }
  for (const [namespaces, kinds] of restricted) {
    notes.push(`${kinds.join(', ')} could be listed in ${namespaces} only: what other namespaces hold (such as an older Ingress routing the same host and path) is not seen`);
  }
  const context = kc.getCurrentContext();
  return { state: builder.build(), problems, notes, context, server: kc.getCurrentCluster()?.server ?? '' };
}

async function listOrExplain(kc: KubeConfig, resource: WatchedResource, path: string, signal?: AbortSignal): Promise<unknown[]> {
  try {
    return await listAll(kc, resource, path, signal);
  } catch (error) {
    if (resource.optional && error instanceof KubeHttpError && error.statusCode === 404) return [];
    throw explain(resource, error);
  }
}

/** Every item of a collection, page by page, with the resource's selectors (Secrets: type kubernetes.io/tls). */
async function listAll(kc: KubeConfig, resource: WatchedResource, path: string, signal?: AbortSignal): Promise<unknown[]> {
  const items: unknown[] = [];
  let continueToken: string | undefined;
  do {
    const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (continueToken) query.set('continue', continueToken);
    if (resource.labelSelector) query.set('labelSelector', resource.labelSelector);
    if (resource.fieldSelector) query.set('fieldSelector', resource.fieldSelector);
    const pageSignal = signal ? AbortSignal.any([signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]) : AbortSignal.timeout(LIST_TIMEOUT_MS);
    const page = (await getJson(kc, `${path}?${query}`, pageSignal)) as { items?: unknown[]; metadata?: { continue?: string } };
    items.push(...(page.items ?? []));
    continueToken = page.metadata?.continue || undefined;
  } while (continueToken);
  return items;
}

function explain(resource: WatchedResource, error: unknown): CheckInputError {
  const reason = error instanceof Error ? error.message : String(error);
  const hint = error instanceof KubeHttpError && error.statusCode === 403 ? ' (portico check needs to list it; with --namespace, listing that namespace is enough for namespaced kinds)' : '';
  return new CheckInputError(`cannot list ${plural(resource.kind)}: ${reason}${hint}`);
}

/** `/api/v1/services` → `/api/v1/namespaces/<ns>/services`. */
function inNamespace(path: string, namespace: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash)}/namespaces/${encodeURIComponent(namespace)}${path.slice(slash)}`;
}

function parameterNamespaces(classes: readonly V1IngressClass[], namespace: string): string[] {
  const namespaces = new Set([namespace]);
  for (const c of classes) {
    const ns = c.spec?.parameters?.namespace;
    if (c.spec?.parameters?.kind === 'IngressClassParameters' && ns) namespaces.add(ns);
  }
  return [...namespaces].sort();
}

function plural(kind: SupportedKind): string {
  if (kind === 'IngressClass') return 'IngressClasses';
  if (kind.endsWith('Parameters')) return kind;
  return kind.endsWith('s') ? `${kind}es` : `${kind}s`;
}
