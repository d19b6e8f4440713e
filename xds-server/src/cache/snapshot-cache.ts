// The fleets the server knows, by node.cluster. Publishing replaces a fleet's snapshot and tells
// subscribers which resource kinds changed; streams then work out what each client still needs.
import type { ResourceKind } from '../protos/envoy-protos.js';
import type { FleetResources, FleetView, ResourceOrigins } from '../resources.js';
import { buildFleetSnapshot, changedKinds, emptyFleetSnapshot } from './fleet-snapshot.js';
import type { FleetSnapshot, PublishProblem } from './fleet-snapshot.js';
import type { LeftOutRoute } from '../grpc/api-listeners.js';

export type FleetChangeListener = (fleet: string, changed: readonly ResourceKind[]) => void;

export interface PublishResult {
  /** Kinds whose type version changed; empty when the publish changed nothing. */
  changed: ResourceKind[];
  problems: PublishProblem[];
  /** Routes left out of the gRPC clients' view (they cannot use them); absent when none. */
  grpcLeftOut?: LeftOutRoute[];
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
