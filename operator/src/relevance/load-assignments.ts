// The ClusterLoadAssignments a full translation published that are built from a Service's
// EndpointSlices (`ns/svc/port`; `…/cluster-ip` variants take the ClusterIP and are not), per
// fleet, and the same computation the translation does for one of them: BackendResolver.endpoints
// then envoy/cluster.ts loadAssignment, over that Service and its slices only.
import type { FleetResources, ResourceOrigins } from '../../../xds-server/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { loadAssignment } from '../envoy/cluster.js';
import type { FleetConfig } from '../pipeline.js';
import type { V1EndpointSlice, V1Service } from '../store/cluster-state.js';
import { emptyClusterState } from '../store/cluster-state.js';
import { BackendResolver } from '../translate/backends.js';
import { compareStrings } from '../util/compare.js';

type ClusterLoadAssignment = FleetResources['clusterLoadAssignments'][number];

export interface AssignmentUse {
  fleet: string;
  /** The ClusterLoadAssignment's name, `namespace/service/port`. */
  name: string;
  port: number;
}

type OriginKind = 'cluster' | 'clusterLoadAssignment';

/** What one fleet's last translation published, as the endpoint path reads it. */
interface FleetRecord {
  config: FleetConfig;
  assignments: Map<string, ClusterLoadAssignment>;
  /** Per Service (`namespace/name`): the assignments built from its endpoints, by name. */
  byService: Map<string, Map<string, AssignmentUse>>;
  /** Per assignment: the EDS clusters reading it. */
  clusters: Map<string, string[]>;
  /** The translation's origins, and the lists published since (by kind and name). */
  origins: { recorded: ResourceOrigins; since: Map<string, string[]> };
}

export class PublishedAssignments {
  private readonly fleets = new Map<string, FleetRecord>();

  /**
   * Records a translation's fleets (forgetting fleets it does not have). A fleet handed over as the
   * very FleetConfig recorded before keeps its record (and what the endpoint path published since);
   * another is recorded anew, walking only the clusters and assignments that are other objects.
   */
  record(fleets: readonly FleetConfig[]): void {
    const names = new Set(fleets.map((f) => f.fleet));
    for (const name of this.fleets.keys()) if (!names.has(name)) this.fleets.delete(name);
    for (const fleet of fleets) {
      const before = this.fleets.get(fleet.fleet);
      if (before?.config === fleet) continue;
      const record: FleetRecord = before ?? { config: fleet, assignments: new Map(), byService: new Map(), clusters: new Map(), origins: { recorded: {}, since: new Map() } };
      const previous = before?.config.resources;
      for (const [old, cluster] of changedByName(previous?.clusters ?? [], fleet.resources.clusters, (c) => c.name ?? '')) {
        if (old) forgetCluster(record, old);
        if (cluster) recordCluster(record, cluster);
      }
      const origins = fleet.origins.clusterLoadAssignment ?? {};
      for (const [old, assignment] of changedByName(previous?.clusterLoadAssignments ?? [], fleet.resources.clusterLoadAssignments, (a) => a.cluster_name ?? '')) {
        if (old) forgetAssignment(record, old);
        if (assignment) recordAssignment(record, fleet.fleet, assignment, origins);
      }
      record.config = fleet;
      record.origins = { recorded: fleet.origins, since: new Map() };
      this.fleets.set(fleet.fleet, record);
    }
  }

  /** The assignments built from this Service's endpoints, in every fleet. */
  usesOf(service: string): readonly AssignmentUse[] {
    return [...this.fleets.values()].flatMap((record) => [...(record.byService.get(service)?.values() ?? [])]);
  }

  current(fleet: string, name: string): ClusterLoadAssignment | undefined {
    return this.fleets.get(fleet)?.assignments.get(name);
  }

  replace(fleet: string, assignment: ClusterLoadAssignment): void {
    this.fleets.get(fleet)?.assignments.set(assignment.cluster_name ?? '', assignment);
  }

  /** The EDS clusters of the fleet that read this assignment. */
  clustersOf(fleet: string, assignment: string): readonly string[] {
    return this.fleets.get(fleet)?.clusters.get(assignment) ?? [];
  }

  /** A resource's origins as last published. */
  originsOf(fleet: string, kind: OriginKind, name: string): readonly string[] {
    const origins = this.fleets.get(fleet)?.origins;
    return origins?.since.get(`${kind}\n${name}`) ?? origins?.recorded[kind]?.[name] ?? [];
  }

  setOrigins(fleet: string, kind: OriginKind, name: string, list: string[]): void {
    this.fleets.get(fleet)?.origins.since.set(`${kind}\n${name}`, list);
  }
}

type Cluster = FleetResources['clusters'][number];

function edsAssignmentOf(cluster: Cluster): string | undefined {
  const assignment = cluster.eds_cluster_config?.service_name;
  return cluster.type === 'EDS' && typeof assignment === 'string' && cluster.name ? assignment : undefined;
}

function recordCluster(record: FleetRecord, cluster: Cluster): void {
  const assignment = edsAssignmentOf(cluster);
  if (assignment === undefined) return;
  record.clusters.set(assignment, [...(record.clusters.get(assignment) ?? []), cluster.name ?? ''].sort(compareStrings));
}

function forgetCluster(record: FleetRecord, cluster: Cluster): void {
  const assignment = edsAssignmentOf(cluster);
  if (assignment === undefined) return;
  const left = (record.clusters.get(assignment) ?? []).filter((name) => name !== cluster.name);
  if (left.length > 0) record.clusters.set(assignment, left);
  else record.clusters.delete(assignment);
}

/** `namespace/service` of an assignment built from that Service's endpoints (`ns/svc/port`, its origins naming the Service). */
function serviceOfAssignment(name: string, origins: Record<string, string[]>): { service: string; port: number } | undefined {
  const parts = name.split('/');
  const [namespace, service, port] = parts;
  if (parts.length !== 3 || !/^[0-9]+$/.test(port ?? '')) return undefined;
  const key = `${namespace}/${service}`;
  return (origins[name] ?? []).includes(`Service ${key}`) ? { service: key, port: Number(port) } : undefined;
}

function recordAssignment(record: FleetRecord, fleet: string, assignment: ClusterLoadAssignment, origins: Record<string, string[]>): void {
  const name = assignment.cluster_name ?? '';
  record.assignments.set(name, assignment);
  const use = serviceOfAssignment(name, origins);
  if (!use) return;
  const uses = record.byService.get(use.service) ?? new Map<string, AssignmentUse>();
  uses.set(name, { fleet, name, port: use.port });
  record.byService.set(use.service, uses);
}

function forgetAssignment(record: FleetRecord, assignment: ClusterLoadAssignment): void {
  const name = assignment.cluster_name ?? '';
  record.assignments.delete(name);
  const [namespace, service] = name.split('/');
  const uses = record.byService.get(`${namespace}/${service}`);
  uses?.delete(name);
  if (uses?.size === 0) record.byService.delete(`${namespace}/${service}`);
}

/**
 * The entries of two lists sorted by name that are not the very same object, as [before, after]
 * (either absent when the name is only on one side). One pass; unchanged objects cost a comparison.
 */
function changedByName<T>(before: readonly T[], after: readonly T[], nameOf: (item: T) => string): [T | undefined, T | undefined][] {
  const changed: [T | undefined, T | undefined][] = [];
  let i = 0;
  let j = 0;
  while (i < before.length || j < after.length) {
    const old = before[i];
    const now = after[j];
    if (old !== undefined && now !== undefined && old === now) {
      i++;
      j++;
      continue;
    }
    const order = old === undefined ? 1 : now === undefined ? -1 : compareStrings(nameOf(old), nameOf(now));
    if (order === 0) changed.push([before[i++], after[j++]]);
    else if (order < 0) changed.push([before[i++], undefined]);
    else changed.push([undefined, after[j++]]);
  }
  return changed;
}

/**
 * The assignment of one Service port from these slices (sorted as a ClusterState sorts them), and
 * the problems the translation would report about them; undefined when the port is not exactly
 * one port of the Service (then only a full translation knows which one a backend resolved to).
 */
export function assignmentOf(name: string, service: V1Service, port: number, slices: readonly V1EndpointSlice[]): { assignment: ClusterLoadAssignment; problems: Diagnostic[] } | undefined {
  const ports = (service.spec?.ports ?? []).filter((p) => p.port === port);
  const [servicePort] = ports;
  if (ports.length !== 1 || !servicePort) return undefined;
  const resolver = new BackendResolver({ ...emptyClusterState(), services: [service], endpointSlices: slices });
  const { endpoints } = resolver.endpoints(service, servicePort);
  return { assignment: loadAssignment(name, endpoints), problems: resolver.problems() };
}
