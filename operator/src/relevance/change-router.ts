// Routes watch events (cluster mode): those that cannot change any fleet's output are dropped; an
// EndpointSlice change within a Service an Ingress of ours uses updates only the
// ClusterLoadAssignments built from that Service, in every fleet that has them, through the xDS
// server's per-resource update; everything else asks for the full rebuild, as before.
//
// The endpoint path is taken only when it provably gives what a full translation would: no full
// translation is due, the assignment recorded for the Service equals what the same computation
// gives from the slices before the change (so the name really was built that way), neither the
// old nor the new slices would produce a diagnostic, and the set of slices (resource origins) is
// the same. Otherwise: a rebuild.
import type { FleetResources, PublishProblem } from '../../../xds-server/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { EnvoyConfig } from '../pipeline.js';
import type { ObjectChange } from '../sources/kubernetes/reflector.js';
import type { V1EndpointSlice } from '../store/cluster-state.js';
import type { AddressSource } from '../status/load-balancer-address.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import { assignmentOf, PublishedAssignments } from './load-assignments.js';
import { RelevanceGate } from './relevance-gate.js';
import { serviceOfSlice } from './slice-store.js';

type ClusterLoadAssignment = FleetResources['clusterLoadAssignments'][number];

/** The part of the xDS server the endpoint path needs. */
export interface ResourceUpdater {
  updateResources(fleet: string, kind: 'clusterLoadAssignment', upserts: readonly object[], removals?: readonly string[]): { changed: readonly string[]; problems: readonly PublishProblem[] };
}

export interface ChangeRouterOptions {
  ownership: ClassOwnership;
  statusAddress?: AddressSource;
  publisher: ResourceUpdater;
  /** Asks for a full rebuild (coalesced by the caller). */
  rebuild: () => void;
  /** Asks for flushEndpoints() soon (coalesced by the caller). */
  scheduleEndpoints: () => void;
}

export interface RouterCounters {
  /** Object changes that could not change any output. */
  skipped: number;
  /** Times a full rebuild was asked for. */
  rebuilds: number;
  /** ClusterLoadAssignments published by the endpoint path. */
  assignmentsUpdated: number;
  /** Endpoint changes handed to a full rebuild because the endpoint path could not vouch for them. */
  endpointFallbacks: number;
}

export class ChangeRouter {
  readonly gate: RelevanceGate;
  readonly counters: RouterCounters = { skipped: 0, rebuilds: 0, assignmentsUpdated: 0, endpointFallbacks: 0 };
  private readonly assignments = new PublishedAssignments();
  /** Services with slice changes not yet published. */
  private readonly dirty = new Set<string>();
  /** Their slices as the recorded assignments were built from them. */
  private readonly before = new Map<string, V1EndpointSlice[]>();
  /** No full translation recorded since the last change it must cover. */
  private stale = true;

  constructor(private readonly options: ChangeRouterOptions) {
    this.gate = new RelevanceGate(options.ownership, options.statusAddress);
  }

  /**
   * `relisted`: a whole kind was listed again. That always rebuilds, as every event did before:
   * besides the output, a reconcile retries status and Event writes, and one that failed during
   * an API server outage is retried by the reconcile after the relist.
   */
  observe(changes: readonly ObjectChange[], relisted = false): void {
    for (const change of changes) {
      if (change.kind !== 'EndpointSlice') continue;
      const service = serviceOfSlice(change.previous as V1EndpointSlice | undefined);
      if (service !== undefined && !this.before.has(service) && this.assignments.usesOf(service).length > 0) this.before.set(service, this.gate.slices.slicesOf(service));
    }
    const verdict = this.gate.observe(changes);
    this.counters.skipped += verdict.skipped;
    if (relisted || verdict.rebuild || (this.stale && verdict.endpoints.size > 0)) return this.requestRebuild();
    if (verdict.endpoints.size === 0) return;
    for (const service of verdict.endpoints) this.dirty.add(service);
    this.options.scheduleEndpoints();
  }

  /** A full translation starts from the current state: it covers every change observed so far. */
  rebuilding(): void {
    this.stale = true;
    this.dirty.clear();
    this.before.clear();
  }

  /**
   * The full translation was published. `problems`: what publishing reported; an assignment the
   * server refused leaves the endpoint path off until a rebuild publishes cleanly.
   */
  rebuilt(config: Pick<EnvoyConfig, 'fleets' | 'classes'>, problems: readonly Diagnostic[] = []): void {
    this.assignments.record(config.fleets);
    this.gate.classesTranslated(config.classes);
    this.stale = problems.some((p) => p.message.startsWith('the Envoy clusterLoadAssignment '));
  }

  /** Publishes the endpoint changes observed since the last flush (or hands them to a rebuild). */
  flushEndpoints(): { updated: number; rebuild: boolean } {
    const services = [...this.dirty];
    const before = new Map(this.before);
    this.dirty.clear();
    this.before.clear();
    if (this.stale) return { updated: 0, rebuild: true }; // the rebuild that is due covers them
    const upserts = new Map<string, ClusterLoadAssignment[]>();
    for (const service of services) {
      const planned = this.plan(service, before.get(service));
      if (planned === undefined) {
        this.counters.endpointFallbacks++;
        this.requestRebuild();
        return { updated: 0, rebuild: true };
      }
      for (const { fleet, assignment } of planned) upserts.set(fleet, [...(upserts.get(fleet) ?? []), assignment]);
    }
    let updated = 0;
    for (const [fleet, list] of upserts) {
      const result = this.options.publisher.updateResources(fleet, 'clusterLoadAssignment', list);
      if (result.problems.length > 0) {
        // What the server refused must reach the diagnostics, which only a rebuild reports.
        this.requestRebuild();
        return { updated, rebuild: true };
      }
      for (const assignment of list) this.assignments.replace(fleet, assignment);
      updated += list.length;
    }
    this.counters.assignmentsUpdated += updated;
    return { updated, rebuild: false };
  }

  /** The assignments to publish for one Service, or undefined when only a rebuild can tell. */
  private plan(service: string, slicesBefore: V1EndpointSlice[] | undefined): { fleet: string; assignment: ClusterLoadAssignment }[] | undefined {
    const uses = this.assignments.usesOf(service);
    if (uses.length === 0) return [];
    const object = this.gate.service(service);
    if (!object || !slicesBefore) return undefined;
    const slicesNow = this.gate.slices.slicesOf(service);
    if (!sameSlices(slicesBefore, slicesNow)) return undefined;
    const planned: { fleet: string; assignment: ClusterLoadAssignment }[] = [];
    for (const use of uses) {
      const old = assignmentOf(use.name, object, use.port, slicesBefore);
      const now = assignmentOf(use.name, object, use.port, slicesNow);
      if (!old || !now || old.problems.length > 0 || now.problems.length > 0) return undefined;
      const recorded = this.assignments.current(use.fleet, use.name);
      if (JSON.stringify(old.assignment) !== JSON.stringify(recorded)) return undefined;
      if (JSON.stringify(now.assignment) !== JSON.stringify(recorded)) planned.push({ fleet: use.fleet, assignment: now.assignment });
    }
    return planned;
  }

  private requestRebuild(): void {
    this.stale = true;
    this.counters.rebuilds++;
    this.options.rebuild();
  }
}

/** The same slices by name (their names are the assignments' origins). */
function sameSlices(a: readonly V1EndpointSlice[], b: readonly V1EndpointSlice[]): boolean {
  return a.length === b.length && a.every((slice, i) => slice.metadata?.name === b[i]?.metadata?.name);
}
