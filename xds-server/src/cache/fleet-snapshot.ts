// One fleet's configuration as the server holds it: per resource type, the encoded resources by
// name and a type version. Immutable once built; a publish builds a new snapshot that reuses the
// encoded resources whose content did not change, and a per-resource update derives one that
// shares everything it does not touch (resource-map.ts; versions: content-version.ts).
import { RESOURCE_TYPES, typeUrlOf } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { resourceName, resourcesOfKind } from '../resources.js';
import type { FleetView, ResourceOrigins } from '../resources.js';
import { compareStrings } from '../util/compare-strings.js';
import { sumDigests, versionOfSum, ZERO_DIGEST } from './content-version.js';
import type { Digest } from './content-version.js';
import { encodeResource, isEncodingOf } from './encoded-resource.js';
import type { EncodedResource } from './encoded-resource.js';
import { describeViolations, InvalidResourceError } from './invalid-resource.js';
import type { RejectedHost } from './route-table-encoding.js';
import { ResourceMap } from './resource-map.js';
import { virtualHostNamespace, virtualHostResourceName } from './virtual-host-discovery.js';

export const RESOURCE_KINDS = Object.keys(RESOURCE_TYPES) as ResourceKind[];

export interface TypeSnapshot {
  readonly kind: ResourceKind;
  readonly typeUrl: string;
  /** versionOfSum(sum): changes exactly when the type's content does. */
  readonly version: string;
  /** Sum of the resources' digests (content-version.ts): what a per-resource update adjusts. */
  readonly sum: Digest;
  /** Sorted by name; unchanged entries are shared with the snapshot this one was derived from. */
  readonly resources: ReadonlyMap<string, EncodedResource>;
  /** Names wildcard subscribers receive, sorted (worked out when first asked for). */
  readonly wildcardNames: readonly string[];
  /** The version of exactly the wildcard set: what every wildcard subscriber is told. */
  readonly wildcardVersion: string;
  readonly wildcardSum: Digest;
  /** VHDS: virtual host names by the route configuration (namespace) they belong to. */
  readonly namespaces: ReadonlyMap<string, readonly string[]>;
  /** What changed since the type snapshot this one replaced (absent for the first). */
  readonly since?: TypeChange;
}

/**
 * The difference to the previous version of a type, computed once per publish: a Delta stream
 * that was up to date with `fromVersion` only looks at these names, not at every resource.
 */
export interface TypeChange {
  readonly fromVersion: string;
  /** New or changed resources, in name order. */
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export type TypeSnapshots = Readonly<Record<ResourceKind, TypeSnapshot>>;

export interface FleetSnapshot {
  readonly fleet: string;
  /** What SotW clients get: whole RouteConfigurations, no VirtualHost resources, gRPC API listeners. */
  readonly types: TypeSnapshots;
  /**
   * What Delta clients get: RouteConfigurations split with VHDS (see virtual-host-discovery.ts),
   * and no gRPC API listeners (gRPC speaks only SotW). Kinds alike in both views share the very
   * TypeSnapshot of `types`.
   */
  readonly deltaTypes: TypeSnapshots;
  readonly origins: ResourceOrigins;
}

/**
 * A resource the server could not take: the previous version of it (if any) stays in service. A
 * virtual host that breaks Envoy's rules is left out of its route table alone (`virtualHost` names
 * it). `origins` are the objects that made it, from the publish's origins.
 */
export interface PublishProblem {
  kind: ResourceKind;
  name: string;
  virtualHost?: string;
  message: string;
  origins: string[];
}

export interface BuiltSnapshot {
  snapshot: FleetSnapshot;
  problems: PublishProblem[];
}

/**
 * Builds both views. Kinds whose resource list is the very same array in both views share one
 * TypeSnapshot; the others are built per view, reusing the previous publish's encodings.
 */
export function buildFleetSnapshot(fleet: string, sotw: FleetView, delta: FleetView, previous?: FleetSnapshot): BuiltSnapshot {
  const problems: PublishProblem[] = [];
  const types = {} as Record<ResourceKind, TypeSnapshot>;
  for (const kind of RESOURCE_KINDS) types[kind] = buildType(kind, resourcesOfKind(sotw.resources, kind), previous?.types[kind], problems, sotw.origins);
  const deltaTypes = {} as Record<ResourceKind, TypeSnapshot>;
  // A resource the SotW view could not take is already reported; its Delta form would repeat it.
  // Keyed by kind and name (a listener and a route table may share a name); a virtual host refused
  // inside a SotW table is the same problem as its VirtualHost resource in the VHDS view.
  const keyOf = (p: PublishProblem): string => (p.virtualHost === undefined ? `${p.kind}\n${p.name}` : `virtualHost\n${virtualHostResourceName(p.name, p.virtualHost)}`);
  const reported = new Set(problems.map(keyOf));
  for (const kind of RESOURCE_KINDS) {
    const resources = resourcesOfKind(delta.resources, kind);
    if (resources === resourcesOfKind(sotw.resources, kind)) {
      deltaTypes[kind] = types[kind];
      continue;
    }
    const deltaProblems: PublishProblem[] = [];
    deltaTypes[kind] = buildType(kind, resources, previous?.deltaTypes[kind], deltaProblems, delta.origins, types[kind]);
    problems.push(...deltaProblems.filter((p) => !reported.has(keyOf(p))));
  }
  // The views' records are merged when first read (a NACK's origins, /debug): records of tens of
  // thousands of names are not copied on every publish, and a per-resource update looks names up.
  return { snapshot: snapshotWithOrigins(fleet, types, deltaTypes, { base: new BaseOrigins([delta.origins, sotw.origins]), since: new Map(), count: 0 }), problems };
}

/** A snapshot whose origins are worked out from `layer` when first read (a NACK's origins, /debug). */
function snapshotWithOrigins(fleet: string, types: TypeSnapshots, deltaTypes: TypeSnapshots, layer: OriginsLayer): FleetSnapshot {
  const snapshot: FleetSnapshot = {
    fleet,
    types,
    deltaTypes,
    get origins(): ResourceOrigins {
      return materialize(layer);
    },
  };
  layers.set(snapshot, layer);
  return snapshot;
}

/** The views name resources alike where they share them; either view's origins serve NACKs. */
function mergeOrigins(a: ResourceOrigins, b: ResourceOrigins): ResourceOrigins {
  const merged: ResourceOrigins = { ...a };
  for (const kind of Object.keys(b) as ResourceKind[]) merged[kind] = a[kind] === b[kind] || a[kind] === undefined ? b[kind] : { ...a[kind], ...(b[kind] ?? {}) };
  return merged;
}

/**
 * The list each type was built from, and what building it reported. The operator hands a list over
 * again as the very same array when nothing in it changed (an edit that moves no cluster leaves
 * the cluster and endpoint lists as they were): the type is then the previous one, problems and
 * all, without a pass over tens of thousands of resources.
 */
const builtFrom = new WeakMap<TypeSnapshot, { resources: readonly object[]; problems: readonly PublishProblem[] }>();

/**
 * `sibling`: the other view's snapshot of this kind from the same publish. The views differ in a
 * few resources (gRPC API listeners, VHDS) and share the rest as the very same objects, which are
 * then encoded, checked and stored once.
 */
function buildType(kind: ResourceKind, resources: readonly object[], previous: TypeSnapshot | undefined, problems: PublishProblem[], origins: ResourceOrigins, sibling?: TypeSnapshot): TypeSnapshot {
  const made = previous && builtFrom.get(previous);
  if (previous && made?.resources === resources) {
    problems.push(...made.problems);
    return previous;
  }
  let found: PublishProblem[] = [];
  let type = previous && made && buildTypeAligned(kind, resources, previous, made, found, origins, sibling);
  if (!type) {
    found = [];
    type = (previous && buildTypeFrom(kind, resources, previous, found, origins, sibling)) ?? buildWholeType(kind, resources, previous, found, origins, sibling);
  }
  builtFrom.set(type, { resources, problems: found });
  problems.push(...found);
  return type;
}

/**
 * The type when `resources` is the list `previous` was built from with some entries replaced in
 * place (the same length; an entry that differs keeps its name): the operator hands over tens of
 * thousands of resources sorted by name, all but a few the very objects it gave last time, so a
 * pass of identity checks finds what changed, without a look-up per resource. Undefined (build it
 * the general way) when the lists do not line up, or when a problem was or would be reported: the
 * general way reports problems in resource order.
 */
function buildTypeAligned(kind: ResourceKind, resources: readonly object[], previous: TypeSnapshot, made: { resources: readonly object[]; problems: readonly PublishProblem[] }, problems: PublishProblem[], origins: ResourceOrigins, sibling?: TypeSnapshot): TypeSnapshot | undefined {
  const before = made.resources;
  // No problem last time: every name was there and once.
  if (before.length !== resources.length || made.problems.length > 0) return undefined;
  const replaced = new Map<string, EncodedResource>();
  for (let i = 0; i < resources.length; i++) {
    const resource = resources[i] as object;
    const old = before[i] as object;
    if (resource === old) continue;
    const name = resourceName(kind, resource);
    if (name !== resourceName(kind, old)) return undefined;
    // Names were unique last time and each keeps its place: no name can repeat.
    takeResource(kind, name, resource, previous, replaced, problems, origins, sibling);
  }
  return problems.length > 0 ? undefined : deriveType(kind, previous, replaced, []);
}

/**
 * One resource of a type built from `previous`: reused when it is what its previous version was
 * encoded from, its sibling's when the other view encoded this very object, else encoded (or its
 * last good version kept).
 */
function takeResource(kind: ResourceKind, name: string, resource: object, previous: TypeSnapshot, replaced: Map<string, EncodedResource>, problems: PublishProblem[], origins: ResourceOrigins, sibling?: TypeSnapshot): void {
  const before = previous.resources.get(name);
  const twin = sibling?.resources.get(name);
  if (before !== undefined && isEncodingOf(before, resource)) {
    // Reused as it is, so reported as it is: a left-out host stays reported until it is fixed.
    for (const rejected of before.rejectedHosts ?? []) problems.push(rejectedHostProblem(kind, name, rejected, origins));
  } else if (twin !== undefined && twin.source === resource) {
    replaced.set(name, twin);
  } else {
    const encoded = encodeOrKeep(kind, name, resource, before, problems, origins);
    if (encoded) replaced.set(name, encoded);
  }
}

/**
 * The type as a derivation of `previous` (deriveType): resources that are the very objects it was
 * built from are not even compared, so a publish costs one pass of identity checks plus what
 * changed. Undefined (build it whole) when a name is empty or repeated: buildWholeType reports it.
 */
function buildTypeFrom(kind: ResourceKind, resources: readonly object[], previous: TypeSnapshot, problems: PublishProblem[], origins: ResourceOrigins, sibling?: TypeSnapshot): TypeSnapshot | undefined {
  const names = new Set<string>();
  const replaced = new Map<string, EncodedResource>();
  const found: PublishProblem[] = [];
  /** Names the previous type has too: when that is all of them, nothing was removed. */
  let known = 0;
  for (const resource of resources) {
    const name = resourceName(kind, resource);
    if (name === '' || names.has(name)) return undefined;
    names.add(name);
    if (previous.resources.has(name)) known++;
    takeResource(kind, name, resource, previous, replaced, found, origins, sibling);
  }
  problems.push(...found);
  const removed = known === previous.resources.size ? [] : [...previous.resources.keys()].filter((name) => !names.has(name));
  return deriveType(kind, previous, replaced, removed);
}

function rejectedHostProblem(kind: ResourceKind, name: string, { host, violations, kept }: RejectedHost, origins: ResourceOrigins): PublishProblem {
  const originsOf = (of: string, ofKind: ResourceKind): string[] => [...(origins[ofKind]?.[of] ?? [])].sort(compareStrings);
  const hostOrigins = originsOf(virtualHostResourceName(name, host), 'virtualHost');
  const outcome = kept ? 'its last good version stays in service' : 'it is left out';
  return { kind, name, virtualHost: host, message: `virtual host ${host} breaks Envoy's validation rules: ${describeViolations(violations)}; ${outcome}`, origins: hostOrigins.length > 0 ? hostOrigins : originsOf(name, kind) };
}

/** The resource encoded, or (refused) its last good version, or nothing when it never had one. */
function encodeOrKeep(kind: ResourceKind, name: string, resource: object, before: EncodedResource | undefined, problems: PublishProblem[], origins: ResourceOrigins): EncodedResource | undefined {
  try {
    return encodeResource(kind, name, resource, before, (rejected) => problems.push(rejectedHostProblem(kind, name, rejected, origins)));
  } catch (error) {
    const reason = error instanceof InvalidResourceError ? error.message : `cannot encode: ${error instanceof Error ? error.message : String(error)}`;
    problems.push({ kind, name, message: `${reason}; ${before ? 'its last good version stays in service' : 'it is not served'}`, origins: [...(origins[kind]?.[name] ?? [])].sort(compareStrings) });
    return before;
  }
}

function buildWholeType(kind: ResourceKind, resources: readonly object[], previous: TypeSnapshot | undefined, problems: PublishProblem[], origins: ResourceOrigins, sibling?: TypeSnapshot): TypeSnapshot {
  const byName = new Map<string, EncodedResource>();
  const before = previous?.resources;
  const originsOf = (name: string, ofKind: ResourceKind = kind): string[] => [...(origins[ofKind]?.[name] ?? [])].sort(compareStrings);
  for (const resource of resources) {
    const name = resourceName(kind, resource);
    if (name === '') {
      problems.push({ kind, name, message: 'resource has no name', origins: [] });
      continue;
    }
    if (byName.has(name)) {
      // A response with one name twice is a protocol error clients NACK; keep the first.
      problems.push({ kind, name, message: 'duplicate name; the first resource with this name is served', origins: originsOf(name) });
      continue;
    }
    const twin = sibling?.resources.get(name);
    if (twin !== undefined && twin.source === resource) {
      byName.set(name, twin);
      continue;
    }
    const encoded = encodeOrKeep(kind, name, resource, before?.get(name), problems, origins);
    if (encoded) byName.set(name, encoded);
  }
  return typeSnapshot(kind, byName, previous);
}

let emptyTypes: Readonly<Record<ResourceKind, TypeSnapshot>> | undefined;

/** What clients of an unknown or removed fleet are served; the type snapshots are shared. */
export function emptyFleetSnapshot(fleet: string): FleetSnapshot {
  if (!emptyTypes) {
    const types = {} as Record<ResourceKind, TypeSnapshot>;
    for (const kind of RESOURCE_KINDS) types[kind] = typeSnapshot(kind, new Map());
    emptyTypes = types;
  }
  return { fleet, types: emptyTypes, deltaTypes: emptyTypes, origins: {} };
}

/**
 * A TypeSnapshot. `wildcard` is the wildcard names, or how to find them when first asked for (an
 * update that keeps the wildcard set as it was shares the previous snapshot's list).
 */
class Type implements TypeSnapshot {
  readonly typeUrl: string;
  private wildcard: readonly string[] | (() => readonly string[]);

  constructor(
    readonly kind: ResourceKind,
    readonly resources: ResourceMap<EncodedResource>,
    readonly sum: Digest,
    readonly wildcardSum: Digest,
    wildcard: readonly string[] | (() => readonly string[]),
    readonly namespaces: ReadonlyMap<string, readonly string[]>,
    readonly since: TypeChange | undefined,
    readonly version = versionOfSum(sum),
    readonly wildcardVersion = wildcardSum === sum ? version : versionOfSum(wildcardSum),
  ) {
    this.typeUrl = typeUrlOf(kind);
    this.wildcard = wildcard;
  }

  get wildcardNames(): readonly string[] {
    if (typeof this.wildcard === 'function') this.wildcard = this.wildcard();
    return this.wildcard;
  }
}

function typeSnapshot(kind: ResourceKind, byName: Map<string, EncodedResource>, previous?: TypeSnapshot): TypeSnapshot {
  const sorted = new Map([...byName.entries()].sort(([a], [b]) => compareStrings(a, b)));
  const wildcard = [...sorted.values()].filter((r) => r.inWildcard);
  const sum = sumDigests(ZERO_DIGEST, sorted.values());
  const wildcardSum = wildcard.length === sorted.size ? sum : sumDigests(ZERO_DIGEST, wildcard);
  const namespaces = kind === 'virtualHost' ? namespacesOf(sorted.keys()) : new Map<string, string[]>();
  return new Type(kind, ResourceMap.ofSorted(sorted), sum, wildcardSum, wildcard.map((r) => r.name), namespaces, previous ? changeFrom(previous, sorted) : undefined);
}

/** Unchanged resources are the very same EncodedResource objects (see encodeResource). */
function changeFrom(previous: TypeSnapshot, now: ReadonlyMap<string, EncodedResource>): TypeChange {
  const changed: string[] = [];
  for (const [name, resource] of now) if (previous.resources.get(name)?.version !== resource.version) changed.push(name);
  const removed: string[] = [];
  for (const name of previous.resources.keys()) if (!now.has(name)) removed.push(name);
  return { fromVersion: previous.version, changed, removed };
}

function namespacesOf(names: Iterable<string>): Map<string, string[]> {
  const byNamespace = new Map<string, string[]>();
  for (const name of names) {
    const namespace = virtualHostNamespace(name);
    if (namespace === undefined) continue;
    const members = byNamespace.get(namespace);
    if (members) members.push(name);
    else byNamespace.set(namespace, [name]);
  }
  return byNamespace;
}

/**
 * The existing resources a set of names picks, directly or (VHDS) through their namespace, in
 * name order. Runs per stream and push, so it walks the snapshot's sorted resources or a
 * namespace's sorted members rather than sorting names whenever it can.
 */
export function resourcesNamed(type: TypeSnapshot, names: ReadonlySet<string>): EncodedResource[] {
  const present = (wanted: Iterable<string>): EncodedResource[] => [...wanted].flatMap((name) => type.resources.get(name) ?? []);
  // Envoy's VHDS subscription: one route configuration's name, standing for its virtual hosts.
  if (names.size === 1) {
    const [only = ''] = names;
    const members = type.namespaces.get(only);
    if (members) return present(members);
  }
  const picks = (name: string): boolean => names.has(name) || (type.namespaces.size > 0 && names.has(virtualHostNamespace(name) ?? ''));
  // Many names (EDS of a large fleet): one pass over the sorted resources beats sorting the names.
  if (names.size * 4 >= type.resources.size) return [...type.resources.values()].filter((r) => picks(r.name));
  const found = new Set<string>();
  for (const name of names) {
    if (type.resources.has(name)) found.add(name);
    for (const member of type.namespaces.get(name) ?? []) found.add(member);
  }
  return present([...found].sort(compareStrings));
}

/** The kinds whose resources differ between two snapshots of a fleet, in either view. */
export function changedKinds(before: FleetSnapshot | undefined, after: FleetSnapshot): ResourceKind[] {
  return RESOURCE_KINDS.filter((kind) =>
    before?.types[kind].version !== after.types[kind].version || before.deltaTypes[kind].version !== after.deltaTypes[kind].version);
}

/** The Ingresses (or other objects) that produced the named resources, deduplicated and sorted. */
export function originsOf(snapshot: FleetSnapshot, kind: ResourceKind, names: Iterable<string>): string[] {
  const byName = snapshot.origins[kind] ?? {};
  const all = new Set<string>();
  for (const name of names) for (const origin of byName[name] ?? []) all.add(origin);
  return [...all].sort();
}

/** Kinds a per-resource update may touch: both views hold them as the very same resources. */
export const UPDATABLE_KINDS: readonly ResourceKind[] = ['cluster', 'clusterLoadAssignment', 'secret'];

/**
 * A fleet's snapshot with some resources of one kind replaced, added or removed, and nothing else
 * touched: only `upserts` are encoded, and the type's version is what a full publish of the same
 * resources would give (same per-resource content hashes, same type version), so a later publish
 * of the whole fleet sees no change. Kinds the views cut differently (listeners, route tables,
 * virtual hosts) cannot be updated this way: they need a publish. `origins`: new origin lists for
 * the resources named (of any kind; an empty list forgets a name's origins); the others keep
 * theirs. The previous snapshot itself when nothing changed.
 */
export function updateFleetSnapshot(previous: FleetSnapshot, kind: ResourceKind, upserts: readonly object[], removals: readonly string[], origins?: ResourceOrigins): BuiltSnapshot {
  if (!UPDATABLE_KINDS.includes(kind)) throw new Error(`${kind} resources cannot be updated one by one; publish the fleet`);
  const problems: PublishProblem[] = [];
  const layer = originsLayer(previous);
  const nextLayer = origins ? withOrigins(layer, origins) : layer;
  const originsOf = (): ResourceOrigins => materialize(nextLayer);
  const before = previous.types[kind];
  const type = updateType(kind, before, upserts, removals, problems, originsOf);
  if (type === before && nextLayer === layer) return { snapshot: previous, problems };
  const types = type === before ? previous.types : { ...previous.types, [kind]: type };
  // Both views share the TypeSnapshot of these kinds (buildFleetSnapshot); keep it so.
  const deltaType = previous.deltaTypes[kind] === before ? type : updateType(kind, previous.deltaTypes[kind], upserts, removals, [], originsOf);
  const deltaTypes = deltaType === previous.deltaTypes[kind] ? previous.deltaTypes : { ...previous.deltaTypes, [kind]: deltaType };
  // An update only records its lists.
  return { snapshot: snapshotWithOrigins(previous.fleet, types, deltaTypes, nextLayer), problems };
}

/**
 * Origins as updates leave them: a base plus the lists given since, by kind and name. Origins are
 * plain records, which an update would otherwise copy whole (tens of thousands of names); the
 * records are built only when someone reads them, or once the lists given since grow past
 * ORIGINS_PENDING_LIMIT (so a reader never merges more than that, and an update never copies
 * more than that, but every that many names one update builds the records).
 */
interface OriginsLayer {
  readonly base: BaseOrigins;
  readonly since: ReadonlyMap<ResourceKind, ReadonlyMap<string, readonly string[]>>;
  readonly count: number;
  materialized?: ResourceOrigins;
}

const ORIGINS_PENDING_LIMIT = 512;
const layers = new WeakMap<FleetSnapshot, OriginsLayer>();

function originsLayer(snapshot: FleetSnapshot): OriginsLayer {
  return layers.get(snapshot) ?? { base: new BaseOrigins([snapshot.origins]), since: new Map(), count: 0 };
}

/** Records given by views (a later view's list wins), merged into one only when first read whole. */
class BaseOrigins {
  private merged: ResourceOrigins | undefined;

  constructor(private readonly views: readonly ResourceOrigins[]) {
    if (views.length === 1) this.merged = views[0];
  }

  get records(): ResourceOrigins {
    this.merged ??= this.views.reduce((a, b) => mergeOrigins(a, b));
    return this.merged;
  }

  list(kind: ResourceKind, name: string): readonly string[] | undefined {
    for (let i = this.views.length - 1; i >= 0; i--) {
      const byName = this.views[i]?.[kind];
      if (byName && Object.hasOwn(byName, name)) return byName[name];
    }
    return undefined;
  }
}

/** `layer` with some names' lists replaced; `layer` itself when every list is already so. */
function withOrigins(layer: OriginsLayer, updates: ResourceOrigins): OriginsLayer {
  let since: Map<ResourceKind, Map<string, readonly string[]>> | undefined;
  let count = layer.count;
  for (const [kind, byName] of Object.entries(updates) as [ResourceKind, Record<string, string[]>][]) {
    for (const [name, list] of Object.entries(byName)) {
      const current = since?.get(kind)?.get(name) ?? layer.since.get(kind)?.get(name) ?? layer.base.list(kind, name) ?? [];
      if (sameList(current, list)) continue;
      since ??= new Map([...layer.since].map(([k, names]) => [k, new Map(names)]));
      const names = since.get(kind) ?? new Map<string, readonly string[]>();
      since.set(kind, names);
      if (!names.has(name)) count++;
      names.set(name, [...list]);
    }
  }
  if (!since) return layer;
  const next: OriginsLayer = { base: layer.base, since, count };
  return count > ORIGINS_PENDING_LIMIT ? { base: new BaseOrigins([materialize(next)]), since: new Map(), count: 0 } : next;
}

/** The plain records: kinds without a list given since are the base's own. */
function materialize(layer: OriginsLayer): ResourceOrigins {
  if (layer.since.size === 0) return layer.base.records;
  if (layer.materialized) return layer.materialized;
  const base = layer.base.records;
  const origins: ResourceOrigins = { ...base };
  for (const [kind, names] of layer.since) {
    const byName = { ...(base[kind] ?? {}) };
    for (const [name, list] of names) {
      if (list.length === 0) delete byName[name];
      else byName[name] = [...list];
    }
    origins[kind] = byName;
  }
  layer.materialized = origins;
  return origins;
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

function updateType(kind: ResourceKind, previous: TypeSnapshot, upserts: readonly object[], removals: readonly string[], problems: PublishProblem[], origins: () => ResourceOrigins): TypeSnapshot {
  const replaced = new Map<string, EncodedResource>();
  // Read only to report a problem.
  const originsOf = (name: string): string[] => [...(origins()[kind]?.[name] ?? [])].sort(compareStrings);
  for (const resource of upserts) {
    const name = resourceName(kind, resource);
    if (name === '') {
      problems.push({ kind, name, message: 'resource has no name', origins: [] });
      continue;
    }
    if (replaced.has(name)) {
      problems.push({ kind, name, message: 'duplicate name; the first resource with this name is served', origins: originsOf(name) });
      continue;
    }
    const kept = previous.resources.get(name);
    try {
      replaced.set(name, encodeResource(kind, name, resource, kept));
    } catch (error) {
      const reason = error instanceof InvalidResourceError ? error.message : `cannot encode: ${error instanceof Error ? error.message : String(error)}`;
      problems.push({ kind, name, message: `${reason}; ${kept ? 'its last good version stays in service' : 'it is not served'}`, origins: originsOf(name) });
    }
  }
  return deriveType(kind, previous, replaced, removals.filter((name) => previous.resources.has(name) && !replaced.has(name)));
}

/**
 * `previous` with `replaced` resources put in and `removed` names taken out: O(changed), the same
 * type (resources, sums, versions, wildcard names) a full build of the result gives. `previous`
 * itself when nothing differs.
 */
function deriveType(kind: ResourceKind, previous: TypeSnapshot, replaced: ReadonlyMap<string, EncodedResource>, removed: string[]): TypeSnapshot {
  const changed = [...replaced].filter(([name, resource]) => previous.resources.get(name) !== resource).map(([name]) => name).sort(compareStrings);
  if (changed.length === 0 && removed.length === 0) return previous;
  // O(changed): the map shares every untouched entry, and the sums lose the digests of what is
  // replaced or removed and gain those of what comes in (the same sums a full build gives).
  const changes = new Map<string, EncodedResource | undefined>();
  const incoming: EncodedResource[] = [];
  const outgoing: EncodedResource[] = [];
  for (const name of changed) {
    const resource = replaced.get(name) as EncodedResource;
    changes.set(name, resource);
    incoming.push(resource);
    const old = previous.resources.get(name);
    if (old) outgoing.push(old);
  }
  for (const name of removed) {
    changes.set(name, undefined);
    outgoing.push(previous.resources.get(name) as EncodedResource);
  }
  const base = previous.resources instanceof ResourceMap ? (previous.resources as ResourceMap<EncodedResource>) : ResourceMap.ofSorted(new Map(previous.resources));
  const resources = base.with(changes);
  const sum = sumDigests(previous.sum, incoming, outgoing);
  const wildcardIn = incoming.filter((r) => r.inWildcard);
  const wildcardOut = outgoing.filter((r) => r.inWildcard);
  const wildcardSum = previous.wildcardSum === previous.sum && wildcardIn.length === incoming.length && wildcardOut.length === outgoing.length ? sum : sumDigests(previous.wildcardSum, wildcardIn, wildcardOut);
  // The wildcard set keeps its names when no name comes or goes and none changes side.
  const sameWildcardNames = removed.length === 0 && changed.every((name) => previous.resources.get(name)?.inWildcard === resources.get(name)?.inWildcard);
  const wildcard = sameWildcardNames ? (): readonly string[] => previous.wildcardNames : (): readonly string[] => [...resources.values()].filter((r) => r.inWildcard).map((r) => r.name);
  // Namespaces (VHDS) change only when a name comes or goes.
  const sameNames = removed.length === 0 && outgoing.length === incoming.length;
  const namespaces = kind === 'virtualHost' && !sameNames ? namespacesOf(resources.keys()) : previous.namespaces;
  return new Type(kind, resources, sum, wildcardSum, wildcard, namespaces, { fromVersion: previous.version, changed, removed: removed.sort(compareStrings) });
}
