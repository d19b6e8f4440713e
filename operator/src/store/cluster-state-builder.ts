// Collects loose objects into a ClusterState: checks that each is a Kubernetes object of a kind
// Portico reads and fits that kind's schema, fills the default namespace, and sorts so the result
// does not depend on the order objects arrived in. The same object twice is resolved by arrival:
// the first definition taken is used, and a later copy is an error naming both places (the
// manifest loader adds files in path order, so that is the rule users see).
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { quoted } from '../util/characters.js';
import { compareStrings } from '../util/compare.js';
import type { ClusterState, SupportedKind } from './cluster-state.js';
import { clusterStateOf, SUPPORTED_KINDS } from './cluster-state.js';
import { checkSchema } from './object-schema.js';
import { API_VERSION_BY_KIND, toTypedObject } from './typed-objects.js';

const CLUSTER_SCOPED: ReadonlySet<SupportedKind> = new Set(['IngressClass', 'ClusterIngressClassParameters']);

export interface Named {
  metadata?: { name?: string; namespace?: string };
}

export class ClusterStateBuilder {
  private readonly objects = new Map<SupportedKind, Map<string, Named>>(SUPPORTED_KINDS.map((kind) => [kind, new Map()]));
  /** Where each object taken came from, by kind and namespace/name: a later copy names it. */
  private readonly definedAt = new Map<string, string>();
  /** Later copies of an object taken, ignored: each said as a problem. */
  copies = 0;

  /** Adds one raw object; returns what is wrong with it (nothing when it was added). */
  add(raw: unknown, where: string): Diagnostic[] {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      return [{ object: where, severity: 'error', message: 'not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)' }];
    }
    const record = raw as Record<string, unknown>;
    const kind = record['kind'];
    const apiVersion = record['apiVersion'];
    if (typeof kind !== 'string' || typeof apiVersion !== 'string') {
      return [{ object: where, severity: 'error', message: 'not a Kubernetes object: apiVersion and kind are required' }];
    }
    if (!isSupportedKind(kind)) {
      return [{ object: where, severity: 'warning', message: `kind ${kind} (${apiVersion}) is not read by Portico; ignored` }];
    }
    if (apiVersion !== API_VERSION_BY_KIND[kind]) {
      return [{ object: where, severity: 'warning', message: `${kind} ${apiVersion} is not read by Portico (only ${API_VERSION_BY_KIND[kind]}); ignored` }];
    }
    const metadata = record['metadata'];
    const name = typeof metadata === 'object' && metadata !== null ? (metadata as Record<string, unknown>)['name'] : undefined;
    if (typeof name !== 'string' || name === '') {
      return [{ object: where, severity: 'error', message: `${kind}: metadata.name is required` }];
    }
    const namespaceValue = (metadata as Record<string, unknown>)['namespace'];
    const namespace = CLUSTER_SCOPED.has(kind) ? undefined : typeof namespaceValue === 'string' ? namespaceValue : 'default';
    const badName = nameProblem(name, namespace);
    if (badName) return [{ object: where, severity: 'error', message: `${kind}: ${badName}; it is left out` }];
    const id = namespace === undefined ? name : `${namespace}/${name}`;
    // The first definition taken stays; a later one, valid or not, is only named as a copy.
    const byName = this.objects.get(kind);
    const first = this.definedAt.get(`${kind}\0${id}`);
    if (first !== undefined) {
      this.copies += 1;
      return [{ object: where, severity: 'error', message: `${kind} ${id} is also defined in ${first}, which is used (the first definition in path order wins); this copy is ignored` }];
    }
    const typed = typedObjectOf(kind, record);
    if ('problems' in typed) {
      return [{ object: where, severity: 'error', message: `${kind} ${id} does not fit the ${kind} schema and is left out: ${typed.problems.join('; ')}` }];
    }
    const { object } = typed;
    object.metadata ??= {};
    if (namespace === undefined) delete object.metadata.namespace;
    else object.metadata.namespace ??= namespace;
    byName?.set(`${namespace ?? ''}/${name}`, object);
    this.definedAt.set(`${kind}\0${id}`, where);
    return [];
  }

  build(): ClusterState {
    const lists = this.sortedLists();
    return clusterStateOf(<T>(kind: SupportedKind) => (lists.get(kind) ?? []) as T[]);
  }

  /** Each kind's objects in the state's order (by namespace/name), as `build` puts them in the state. */
  sortedLists(): Map<SupportedKind, Named[]> {
    const lists = new Map<SupportedKind, Named[]>();
    for (const [kind, byName] of this.objects) {
      lists.set(kind, [...byName.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, object]) => object));
    }
    return lists;
  }
}

/** An object's place among its kind's in the state: namespace/name, the namespace empty for cluster-scoped kinds. */
export function stateKeyOf(object: Named): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}

/**
 * Typed objects by the raw document they came from. Standalone mode re-reads a folder after every
 * edit but hands unchanged files' documents over as the very same objects (ManifestCache), so
 * their conversion, the costliest step of a reload at 10,000 objects, is done once. Raw documents
 * are never mutated; the typed object's only mutation (the default namespace) is idempotent.
 */
const typedByRaw = new WeakMap<object, Named>();

function typedObjectOf(kind: SupportedKind, raw: object): { object: Named } | { problems: string[] } {
  const known = typedByRaw.get(raw);
  if (known) return { object: known };
  // Only what fits its schema is converted; a raw object converted before passed already.
  const check = checkSchema(kind, raw);
  if (!check.ok) return { problems: check.problems };
  const typed = toTypedObject<Named>(kind, check.object);
  typedByRaw.set(raw, typed);
  return { object: typed };
}

// The API server's rules for object names (DNS-1123 subdomain) and namespaces (DNS-1123 label):
// names end up in cluster names, stats and diagnostics, so nothing else may pass.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function nameProblem(name: string, namespace: string | undefined): string | undefined {
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) return `metadata.name ${quoted(name.slice(0, 64))} is not a valid name (lowercase letters, digits, "-" and ".")`;
  if (namespace !== undefined && (namespace.length > 63 || !DNS_LABEL.test(namespace))) {
    return `metadata.namespace ${quoted(namespace.slice(0, 64))} is not a valid namespace (lowercase letters, digits and "-", at most 63)`;
  }
  return undefined;
}

function isSupportedKind(kind: string): kind is SupportedKind {
  return (SUPPORTED_KINDS as readonly string[]).includes(kind);
}
