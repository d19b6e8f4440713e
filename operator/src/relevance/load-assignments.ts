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

type ClusterLoadAssignment = FleetResources['clusterLoadAssignments'][number];

export interface AssignmentUse {
  fleet: string;
  /** The ClusterLoadAssignment's name, `namespace/service/port`. */
  name: string;
  port: number;
}

type OriginKind = 'cluster' | 'clusterLoadAssignment';

export class PublishedAssignments {
  private readonly byFleet = new Map<string, Map<string, ClusterLoadAssignment>>();
  private readonly byService = new Map<string, AssignmentUse[]>();
  /** Per fleet: the translation's origins, and the lists published since (by kind and name). */
  private readonly origins = new Map<string, { recorded: ResourceOrigins; since: Map<string, string[]> }>();
  /** Per fleet: the EDS clusters reading each assignment (`fleet\nassignment` → cluster names). */
  private readonly clusters = new Map<string, string[]>();

  /** Forgets what was recorded and records a full translation's fleets. */
  record(fleets: readonly FleetConfig[]): void {
    this.byFleet.clear();
    this.byService.clear();
    this.origins.clear();
    this.clusters.clear();
    for (const fleet of fleets) {
      this.origins.set(fleet.fleet, { recorded: fleet.origins, since: new Map() });
      for (const cluster of fleet.resources.clusters) {
        const assignment = cluster.eds_cluster_config?.service_name;
        if (cluster.type !== 'EDS' || typeof assignment !== 'string' || !cluster.name) continue;
        const key = `${fleet.fleet}\n${assignment}`;
        this.clusters.set(key, [...(this.clusters.get(key) ?? []), cluster.name]);
      }
      const assignments = new Map<string, ClusterLoadAssignment>();
      this.byFleet.set(fleet.fleet, assignments);
      const origins = fleet.origins.clusterLoadAssignment ?? {};
      for (const assignment of fleet.resources.clusterLoadAssignments) {
        const name = assignment.cluster_name ?? '';
        assignments.set(name, assignment);
        const parts = name.split('/');
        const [namespace, service, port] = parts;
        if (parts.length !== 3 || !/^[0-9]+$/.test(port ?? '')) continue;
        // Only what was resolved to that Service: it then names the Service among its origins.
        const key = `${namespace}/${service}`;
        if (!(origins[name] ?? []).includes(`Service ${key}`)) continue;
        const uses = this.byService.get(key) ?? [];
        uses.push({ fleet: fleet.fleet, name, port: Number(port) });
        this.byService.set(key, uses);
      }
    }
  }

  /** The assignments built from this Service's endpoints, in every fleet. */
  usesOf(service: string): readonly AssignmentUse[] {
    return this.byService.get(service) ?? [];
  }

  current(fleet: string, name: string): ClusterLoadAssignment | undefined {
    return this.byFleet.get(fleet)?.get(name);
  }

  replace(fleet: string, assignment: ClusterLoadAssignment): void {
    this.byFleet.get(fleet)?.set(assignment.cluster_name ?? '', assignment);
  }

  /** The EDS clusters of the fleet that read this assignment. */
  clustersOf(fleet: string, assignment: string): readonly string[] {
    return this.clusters.get(`${fleet}\n${assignment}`) ?? [];
  }

  /** A resource's origins as last published. */
  originsOf(fleet: string, kind: OriginKind, name: string): readonly string[] {
    const origins = this.origins.get(fleet);
    return origins?.since.get(`${kind}\n${name}`) ?? origins?.recorded[kind]?.[name] ?? [];
  }

  setOrigins(fleet: string, kind: OriginKind, name: string, list: string[]): void {
    this.origins.get(fleet)?.since.set(`${kind}\n${name}`, list);
  }
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
