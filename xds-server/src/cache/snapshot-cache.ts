// The fleets the server knows, by node.cluster. Publishing replaces a fleet's snapshot and tells
// subscribers which resource kinds changed; streams then work out what each client still needs.
import type { ResourceKind } from '../protos/envoy-protos.js';
import type { FleetResources, FleetView, ResourceOrigins } from '../resources.js';
import { buildFleetSnapshot, changedKinds, emptyFleetSnapshot, updateFleetSnapshot } from './fleet-snapshot.js';
import type { FleetSnapshot, PublishProblem } from './fleet-snapshot.js';

export type FleetChangeListener = (fleet: string, changed: readonly ResourceKind[]) => void;

export interface PublishResult {
  /** Kinds whose type version changed; empty when the publish changed nothing. */
  changed: ResourceKind[];
  problems: PublishProblem[];
  /** Type version per kind after the publish. */
  versions: Record<ResourceKind, string>;
}

export class SnapshotCache {
  private readonly fleets = new Map<string, FleetSnapshot>();
  private readonly listeners = new Set<FleetChangeListener>();

  /**
   * Publishes a fleet's configuration. `resources` is what SotW clients get; Delta clients get
   * `delta`, by default the very same resources (whole route tables over RDS).
   */
  publish(fleet: string, resources: FleetResources, origins: ResourceOrigins, delta?: FleetView): PublishResult {
    const previous = this.fleets.get(fleet);
    const { snapshot, problems } = buildFleetSnapshot(fleet, { resources, origins }, delta ?? { resources, origins }, previous);
    const changed = changedKinds(previous, snapshot);
    // Origins can change without any resource changing; keep them current either way.
    this.fleets.set(fleet, snapshot);
    if (changed.length > 0) this.notify(fleet, changed);
    return { changed, problems, versions: versionsOf(snapshot) };
  }

  /**
   * Replaces, adds or removes some resources of one kind (cluster, clusterLoadAssignment or
   * secret) of a published fleet, leaving every other resource as it is: only `upserts` are
   * encoded, and only their versions (and the type's) change, to exactly what a publish of the
   * whole fleet with them would give. Streams are told as for a publish. Origins are kept, but for
   * the names `origins` gives new lists for (of any kind: a cluster's origins may change with its
   * assignment's). A fleet never published cannot be updated (it has nothing to update): publish
   * it first. Costs what it touches: see fleet-snapshot.ts and resource-map.ts.
   */
  updateResources(fleet: string, kind: ResourceKind, upserts: readonly object[], removals: readonly string[] = [], origins?: ResourceOrigins): PublishResult {
    const previous = this.fleets.get(fleet);
    if (!previous) throw new Error(`fleet ${fleet} has not been published; it cannot be updated resource by resource`);
    const { snapshot, problems } = updateFleetSnapshot(previous, kind, upserts, removals, origins);
    const changed = changedKinds(previous, snapshot);
    // Origins can change without any resource changing; keep them current either way.
    if (snapshot !== previous) this.fleets.set(fleet, snapshot);
    if (changed.length > 0) this.notify(fleet, changed);
    return { changed, problems, versions: versionsOf(snapshot) };
  }

  /** Clients of a removed fleet are served an empty configuration, as for an unknown fleet. */
  remove(fleet: string): boolean {
    const previous = this.fleets.get(fleet);
    if (!previous) return false;
    this.fleets.delete(fleet);
    const changed = changedKinds(previous, emptyFleetSnapshot(fleet));
    if (changed.length > 0) this.notify(fleet, changed);
    return true;
  }

  has(fleet: string): boolean {
    return this.fleets.has(fleet);
  }

  /** The fleet's snapshot, or an empty one for a fleet nobody published. */
  get(fleet: string): FleetSnapshot {
    return this.fleets.get(fleet) ?? emptyFleetSnapshot(fleet);
  }

  fleetNames(): string[] {
    return [...this.fleets.keys()].sort();
  }

  onChange(listener: FleetChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(fleet: string, changed: readonly ResourceKind[]): void {
    for (const listener of this.listeners) listener(fleet, changed);
  }
}

export function versionsOf(snapshot: FleetSnapshot): Record<ResourceKind, string> {
  const versions = {} as Record<ResourceKind, string>;
  for (const [kind, type] of Object.entries(snapshot.types) as [ResourceKind, FleetSnapshot['types'][ResourceKind]][]) {
    versions[kind] = kind === 'virtualHost' ? snapshot.deltaTypes[kind].version : type.version;
  }
  return versions;
}
