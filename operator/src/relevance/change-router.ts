// Routes watch events (cluster mode): those that cannot change any fleet's output are dropped; an
// EndpointSlice change within a Service an Ingress of ours uses updates only the
// ClusterLoadAssignments built from that Service, in every fleet that has them, through the xDS
// server's per-resource update; everything else asks for a translation, told what changed
// (rebuilding() hands the scope to IncrementalTranslator).
//
// The endpoint path is taken only when it provably gives what a full translation would: no full
// translation is due, the assignment recorded for the Service equals what the same computation
// gives from the slices before the change (so the name really was built that way), and neither
// the old nor the new slices would produce a diagnostic. A slice that comes, goes or changes
// Service also changes the origins of the assignment and of the EDS clusters reading it (their
// EndpointSlice entries are the Service's slices): those are published with the assignment,
// provided the recorded ones list exactly the slices before the change. Otherwise: a rebuild.
import type { FleetResources, PublishProblem, ResourceOrigins } from '../../../xds-server/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ChangeScope } from './change-scope.js';
import type { EnvoyConfig } from '../pipeline.js';
import type { ObjectChange } from '../sources/kubernetes/reflector.js';
import type { V1EndpointSlice } from '../store/cluster-state.js';
import type { AddressSource } from '../status/load-balancer-address.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import { assignmentOf, PublishedAssignments } from './load-assignments.js';
import { RelevanceGate } from './relevance-gate.js';
import { serviceOfSlice } from './slice-store.js';
import { compareStrings, sameItems } from '../util/compare.js';

type ClusterLoadAssignment = FleetResources['clusterLoadAssignments'][number];

/** The part of the xDS server the endpoint path needs. */
export interface ResourceUpdater {
  updateResources(fleet: string, kind: 'clusterLoadAssignment', upserts: readonly object[], removals?: readonly string[], origins?: ResourceOrigins): { changed: readonly string[]; problems: readonly PublishProblem[] };
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
  /** Resources whose origins the endpoint path published (a slice came, went or changed Service). */
  originsUpdated: number;
}

export class ChangeRouter {
  readonly gate: RelevanceGate;
  readonly counters: RouterCounters = { skipped: 0, rebuilds: 0, assignmentsUpdated: 0, endpointFallbacks: 0, originsUpdated: 0 };
  private readonly assignments = new PublishedAssignments();
  /** Services with slice changes not yet published. */
  private readonly dirty = new Set<string>();
  /** Their slices as the recorded assignments were built from them. */
  private readonly before = new Map<string, V1EndpointSlice[]>();
  /** No full translation recorded since the last change it must cover. */
  private stale = true;
  /** What changed since the last translation began: what the next one must cover. */
  private scope = { full: true, ingresses: new Set<string>(), services: new Set<string>() };

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
      // The Service the slice leaves and the one it joins (either may be none).
      for (const slice of [change.previous, change.current] as (V1EndpointSlice | undefined)[]) {
        const service = serviceOfSlice(slice);
        if (service !== undefined && !this.before.has(service) && this.assignments.usesOf(service).length > 0) this.before.set(service, this.gate.slices.slicesOf(service));
      }
    }
    const verdict = this.gate.observe(changes);
    this.counters.skipped += verdict.skipped;
    if (relisted || verdict.rebuild) this.scope.full = true;
    for (const key of verdict.ingresses) this.scope.ingresses.add(key);
    // The endpoint path publishes these now; the next translation re-reads their users too.
    for (const service of verdict.endpoints) this.scope.services.add(service);
    if (relisted || verdict.rebuild || verdict.ingresses.size > 0 || (this.stale && verdict.endpoints.size > 0)) return this.requestRebuild();
    if (verdict.endpoints.size === 0) return;
    for (const service of verdict.endpoints) this.dirty.add(service);
    this.options.scheduleEndpoints();
  }

  /**
   * A translation starts from the current state: it covers every change observed so far, which
   * it is given (IncrementalTranslator: what it must translate again).
   */
  rebuilding(): ChangeScope {
    this.stale = true;
    this.dirty.clear();
    this.before.clear();
    const scope = this.scope;
    this.scope = { full: false, ingresses: new Set(), services: new Set() };
    return scope;
  }

  /** A full translation, soon: certificates are judged again at the current instant. */
  requestFull(): void {
    this.scope.full = true;
    this.requestRebuild();
  }

  /** The last translation failed: whenever the next one comes, it must cover everything. */
  translationFailed(): void {
    this.scope.full = true;
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
    const updates = new Map<string, { upserts: ClusterLoadAssignment[]; origins: OriginUpdates }>();
    for (const service of services) {
      const planned = this.plan(service, before.get(service));
      if (planned === undefined) {
        this.counters.endpointFallbacks++;
        this.requestRebuild();
        return { updated: 0, rebuild: true };
      }
      for (const { fleet, assignment, origins } of planned) {
        const update = updates.get(fleet) ?? { upserts: [], origins: { cluster: {}, clusterLoadAssignment: {} } };
        updates.set(fleet, update);
        if (assignment) update.upserts.push(assignment);
        for (const kind of ORIGIN_KINDS) Object.assign(update.origins[kind], origins?.[kind]);
      }
    }
    let updated = 0;
    for (const [fleet, { upserts, origins }] of updates) {
      const changesOrigins = ORIGIN_KINDS.some((kind) => Object.keys(origins[kind]).length > 0);
      const result = this.options.publisher.updateResources(fleet, 'clusterLoadAssignment', upserts, [], changesOrigins ? origins : undefined);
      if (result.problems.length > 0) {
        // What the server refused must reach the diagnostics, which only a rebuild reports.
        this.requestRebuild();
        return { updated, rebuild: true };
      }
      for (const assignment of upserts) this.assignments.replace(fleet, assignment);
      for (const kind of ORIGIN_KINDS) {
        for (const [name, list] of Object.entries(origins[kind])) this.assignments.setOrigins(fleet, kind, name, list);
        this.counters.originsUpdated += Object.keys(origins[kind]).length;
      }
      updated += upserts.length;
    }
    this.counters.assignmentsUpdated += updated;
    return { updated, rebuild: false };
  }

  /**
   * What to publish for one Service: per use, the new assignment (when it differs) and new
   * origins (when the set of slices changed); undefined when only a rebuild can tell.
   */
  private plan(service: string, slicesBefore: V1EndpointSlice[] | undefined): Planned[] | undefined {
    const uses = this.assignments.usesOf(service);
    if (uses.length === 0) return [];
    const object = this.gate.service(service);
    if (!object || !slicesBefore) return undefined;
    const slicesNow = this.gate.slices.slicesOf(service);
    const refsBefore = sliceRefs(slicesBefore);
    const refsNow = sliceRefs(slicesNow);
    const sameSlices = sameItems(refsBefore, refsNow);
    const planned: Planned[] = [];
    for (const use of uses) {
      const old = assignmentOf(use.name, object, use.port, slicesBefore);
      const now = assignmentOf(use.name, object, use.port, slicesNow);
      if (!old || !now || old.problems.length > 0 || now.problems.length > 0) return undefined;
      const recorded = this.assignments.current(use.fleet, use.name);
      if (JSON.stringify(old.assignment) !== JSON.stringify(recorded)) return undefined;
      const assignment = JSON.stringify(now.assignment) !== JSON.stringify(recorded) ? now.assignment : undefined;
      if (sameSlices) {
        if (assignment) planned.push({ fleet: use.fleet, assignment });
        continue;
      }
      const origins: OriginUpdates = { cluster: {}, clusterLoadAssignment: {} };
      const targets: [OriginKind, string][] = [['clusterLoadAssignment', use.name], ...this.assignments.clustersOf(use.fleet, use.name).map((name): [OriginKind, string] => ['cluster', name])];
      for (const [kind, name] of targets) {
        const current = this.assignments.originsOf(use.fleet, kind, name);
        // Only origins that list exactly the slices before the change are known to come from them.
        if (!sameItems(current.filter(isSliceRef), refsBefore)) return undefined;
        origins[kind][name] = [...new Set([...current.filter((origin) => !isSliceRef(origin)), ...refsNow])].sort(compareStrings);
      }
      planned.push({ fleet: use.fleet, ...(assignment ? { assignment } : {}), origins });
    }
    return planned;
  }

  private requestRebuild(): void {
    this.stale = true;
    this.counters.rebuilds++;
    this.options.rebuild();
  }
}

type OriginKind = 'cluster' | 'clusterLoadAssignment';
const ORIGIN_KINDS: readonly OriginKind[] = ['cluster', 'clusterLoadAssignment'];
type OriginUpdates = Record<OriginKind, Record<string, string[]>>;

interface Planned {
  fleet: string;
  assignment?: ClusterLoadAssignment;
  origins?: OriginUpdates;
}

const SLICE_REF = 'EndpointSlice ';

/** How translate/backends.ts names a Service's slices among the origins, sorted as it sorts them. */
function sliceRefs(slices: readonly V1EndpointSlice[]): string[] {
  return slices.map((s) => `${SLICE_REF}${s.metadata?.namespace ?? ''}/${s.metadata?.name ?? ''}`).sort(compareStrings);
}

function isSliceRef(origin: string): boolean {
  return origin.startsWith(SLICE_REF);
}
