// The state of one Delta (incremental) ADS stream. Per type: what the client subscribed to, the
// version of each resource it holds as far as the server knows (from initial_resource_versions,
// then from what was sent), and the responses it has not answered yet. A response carries only
// resources that are new to the client or changed, and names the ones that went away in
// removed_resources. Like the SotW stream: one response in flight, built from the newest snapshot
// when a push slot is free, in make-before-break order (CDS → EDS → SDS → LDS → RDS → VHDS).
// Delta clients get the fleet's Delta view: route tables split into VirtualHost resources (VHDS).
import { PushingStream } from './pushing-stream.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import type { FleetSnapshot, TypeSnapshot } from '../cache/fleet-snapshot.js';
import { originsOf, resourcesNamed } from '../cache/fleet-snapshot.js';
import type { DeltaDiscoveryRequest__Output } from '../generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';
import { RESOURCE_TYPES, TYPE_URL_PREFIX } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { encodeDeltaResponse } from './delta-response.js';
import { DeltaSubscription } from './delta-subscription.js';
import { KnownVersions } from './known-versions.js';
import { rejectedResourceNames } from './nack.js';
import type { NackEvent } from './nack.js';
import { PUSH_ORDER, waitsForClusters } from './push-order.js';
import { WILDCARD } from './subscription.js';
import type { StreamStatus, TypeStatus } from './stream-environment.js';

/**
 * Unanswered responses remembered per type. Envoy answers every response; a client that does not
 * must not make the stream grow without bound (a forgotten answer only counts as a stale nonce).
 */
const MAX_UNANSWERED = 64;

interface SentDelta {
  nonce: string;
  systemVersion: string;
  names: string[];
  removed: string[];
  snapshot: FleetSnapshot;
  at: number;
}

interface DeltaTypeState {
  readonly subscription: DeltaSubscription;
  /** name → version the client holds as far as the server knows; null: it was told the name does not exist. */
  readonly known: KnownVersions;
  /** Names to answer on the next response even if the client has them (resource_names_subscribe, EDS after CDS). */
  readonly forced: Set<string>;
  /** Responses not answered yet, by nonce. Delta answers are per response, so older ones still count. */
  readonly inFlight: Map<string, SentDelta>;
  /** The subscription changed since the stream was last brought up to date. */
  dirty: boolean;
  /** The client had nothing of this type: answer even with nothing, so its initial fetch completes. */
  responseOwed: boolean;
  /** Removals held back until listeners and routes no longer use what is removed (make before break). */
  withheld: boolean;
  syncedVersion?: string;
  initialResourceVersions: number;
  /** Only the version: the names of an answered response are not kept (a thousand streams × every name). */
  lastSentVersion?: string;
  ackedVersion?: string;
  nackCount: number;
  lastNack?: NackEvent;
  /** Rejected resources not yet accepted in a newer version (or gone): the NACK is unresolved. */
  readonly unresolved: Set<string>;
}

interface DeltaSelection {
  type: TypeSnapshot;
  snapshot: FleetSnapshot;
  resources: EncodedResource[];
  removed: string[];
  withheld: boolean;
  /** Something to send (possibly an empty response the client is owed). */
  due: boolean;
}

export class DeltaStream extends PushingStream<DeltaTypeState> {
  readonly protocol = 'delta';

  handleRequest(request: DeltaDiscoveryRequest__Output): void {
    if (this.closed) return;
    const kind = this.acceptRequest(request.type_url ?? '', request.node, 'Delta ADS');
    if (!kind) return;
    const existing = this.types.get(kind);
    const state = existing ?? newTypeState(kind);
    if (!existing) this.types.set(kind, state);

    const nonce = request.response_nonce ?? '';
    if (nonce !== '') this.recordAnswer(kind, state, nonce, request);
    // Subscription changes count whatever the nonce: in Delta it only correlates ACKs and NACKs.
    this.updateSubscription(kind, state, request, !existing);
    this.pending.add(kind);
    this.pump();
  }

  private updateSubscription(kind: ResourceKind, state: DeltaTypeState, request: DeltaDiscoveryRequest__Output, first: boolean): void {
    // A wildcard turned on covers resources the client never got: the shared base must not claim them.
    if (!state.subscription.wildcard && request.resource_names_subscribe?.includes(WILDCARD)) state.known.detachBase();
    const change = state.subscription.update(request.resource_names_subscribe ?? [], request.resource_names_unsubscribe ?? []);
    this.budget.change(change.added, change.unsubscribed);
    const initial = first ? Object.entries(request.initial_resource_versions ?? {}) : [];
    // What a reconnecting client already holds is not sent again, unless it changed meanwhile.
    for (const [name, version] of initial) if (state.subscription.covers(name)) state.known.set(name, this.clientVersion(version));
    // Names kept that way without being subscribed by name (wildcard) cost memory too: counted
    // for the life of the stream, as the first request of a type is the only one that adds them.
    this.budget.change(initial.filter(([name]) => !state.subscription.names.has(name) && state.subscription.covers(name)).map(([name]) => name), []);
    state.initialResourceVersions += initial.length;
    if (first && initial.length === 0) state.responseOwed = true;
    const held = new Set(initial.map(([name]) => name));
    for (const name of change.subscribed) {
      if (held.has(name)) continue;
      // A VHDS namespace subscribed (again): its members are not held, whatever the shared base says.
      state.known.forgetNamespace(name);
      // Only a name the client holds needs forcing (what it lacks is sent anyway): a thousand
      // Envoys subscribing to every EDS name at once would otherwise each keep a set of them all.
      if (state.known.has(name)) state.forced.add(name);
    }
    const type = this.fleet === undefined ? undefined : this.env.snapshotOf(this.fleet).deltaTypes[kind];
    for (const name of change.unsubscribed) {
      state.unresolved.delete(name);
      // Still covered by wildcard: the spec wants it answered (the client may have dropped it).
      if (type?.resources.get(name)?.inWildcard && state.subscription.wildcard) state.forced.add(name);
      else {
        state.known.delete(name);
        state.forced.delete(name);
      }
    }
    // Whatever is no longer covered (wildcard off, a VHDS namespace dropped) the client forgets.
    if (change.unsubscribed.length > 0 || (change.wildcardChanged && !state.subscription.wildcard)) {
      state.known.forgetUncovered();
    }
    if (first || change.subscribed.length > 0 || change.unsubscribed.length > 0 || change.wildcardChanged) state.dirty = true;
  }

  /** ACK or NACK of one response, told apart by error_detail. Unknown nonces are counted and ignored. */
  private recordAnswer(kind: ResourceKind, state: DeltaTypeState, nonce: string, request: DeltaDiscoveryRequest__Output): void {
    const sent = state.inFlight.get(nonce);
    if (!sent) {
      this.env.hooks.staleNonce(this, kind);
      return;
    }
    state.inFlight.delete(nonce);
    if (request.error_detail) this.recordNack(kind, state, sent, request.error_detail.code ?? 0, request.error_detail.message ?? '');
    else this.recordAck(kind, state, sent);
    // Answered listener or route updates may release cluster removals held back for them.
    if (waitsForClusters(kind)) this.recheckWithheld();
  }

  private recordAck(kind: ResourceKind, state: DeltaTypeState, sent: SentDelta): void {
    state.ackedVersion = sent.systemVersion;
    this.env.hooks.acked(this, kind, sent.systemVersion, sent.at);
    const previous = state.lastNack;
    if (!previous) return;
    for (const name of [...sent.names, ...sent.removed]) state.unresolved.delete(name);
    for (const name of [...state.unresolved]) if (!state.subscription.covers(name)) state.unresolved.delete(name);
    if (state.unresolved.size > 0) return;
    state.lastNack = undefined;
    this.env.hooks.nackResolved({
      ...this.reportHeader(kind),
      version: sent.systemVersion,
      previous,
    });
  }

  /** The client keeps its old resources; the rejected versions are not re-sent (no error loop). */
  private recordNack(kind: ResourceKind, state: DeltaTypeState, sent: SentDelta, code: number, detail: string): void {
    const rejected = rejectedResourceNames(detail, sent.names);
    const message = this.errorMessageOf(detail);
    const event: NackEvent = {
      ...this.reportHeader(kind),
      nonce: sent.nonce,
      rejectedVersion: sent.systemVersion,
      // Delta requests carry no version: the last accepted response's is what the client uses.
      clientVersion: state.ackedVersion ?? '',
      responseResources: sent.names,
      rejectedResources: rejected,
      errorCode: code,
      errorMessage: message,
      origins: originsOf(sent.snapshot, kind, rejected),
    };
    state.nackCount += 1;
    state.lastNack = event;
    for (const name of rejected) state.unresolved.add(name);
    this.env.hooks.nacked(event);
  }

  status(): StreamStatus {
    const types: Record<string, TypeStatus> = {};
    for (const kind of PUSH_ORDER) {
      const state = this.types.get(kind);
      if (!state) continue;
      const nack = state.lastNack;
      types[TYPE_URL_PREFIX + RESOURCE_TYPES[kind]] = {
        subscribed: state.subscription.describe(),
        subscribedCount: state.subscription.names.size,
        initialVersion: '',
        initialResourceVersions: state.initialResourceVersions,
        ...(state.lastSentVersion !== undefined ? { sentVersion: state.lastSentVersion } : {}),
        ...(state.ackedVersion !== undefined ? { ackedVersion: state.ackedVersion } : {}),
        nackCount: state.nackCount,
        ...(nack ? { lastNack: this.lastNackStatus(nack) } : {}),
      };
    }
    return this.statusOf(types);
  }

  protected nextDueKind(): ResourceKind | undefined {
    const gateOpensAt = this.clusterGateOpensAt();
    const now = Date.now();
    // Two passes: settling routes can make held cluster removals due again.
    for (let pass = 0; pass < 2; pass++) {
      for (const kind of PUSH_ORDER) {
        if (!this.pending.has(kind)) continue;
        const state = this.types.get(kind);
        if (!state) {
          this.pending.delete(kind);
          continue;
        }
        const selection = this.select(kind, state);
        if (!selection?.due) {
          // Nothing differs from the newest snapshot: it becomes the shared base.
          if (selection) state.known.rebase(selection.type);
          this.settle(kind, state, selection?.withheld ?? false);
          continue;
        }
        if (waitsForClusters(kind) && gateOpensAt > now) {
          this.scheduleGateCheck(gateOpensAt - now);
          continue;
        }
        return kind;
      }
    }
    return undefined;
  }

  /** LDS/RDS wait for the oldest unanswered Cluster response, at most clusterAckWaitMs. */
  private clusterGateOpensAt(): number {
    const clusters = this.types.get('cluster');
    let oldest = Infinity;
    for (const sent of clusters?.inFlight.values() ?? []) oldest = Math.min(oldest, sent.at);
    return oldest === Infinity ? 0 : oldest + this.env.clusterAckWaitMs;
  }

  private scheduleGateCheck(delayMs: number): void {
    clearTimeout(this.gateTimer);
    this.gateTimer = setTimeout(() => this.pump(), delayMs + 1);
    this.gateTimer.unref();
  }

  protected respond(kind: ResourceKind): Buffer | undefined {
    const state = this.types.get(kind);
    if (!state) return undefined;
    const selection = this.select(kind, state);
    this.settle(kind, state, selection?.withheld ?? false);
    if (!selection?.due) return undefined;
    const { type, snapshot, resources, removed } = selection;
    for (const name of removed) {
      // Remember a missing name the client asked for, so it is told once, not on every change.
      if (state.subscription.names.has(name)) state.known.set(name, null);
      else state.known.delete(name);
    }
    // Every resource sent is one the subscription includes: the base now says the client holds it.
    state.known.rebase(type);
    state.responseOwed = false;
    if (kind === 'cluster') this.resendEndpointsOf(resources);

    const nonce = this.nextNonce();
    const sent: SentDelta = { nonce, systemVersion: type.version, names: resources.map((r) => r.name), removed, snapshot, at: Date.now() };
    state.inFlight.set(nonce, sent);
    if (state.inFlight.size > MAX_UNANSWERED) state.inFlight.delete(state.inFlight.keys().next().value ?? '');
    state.lastSentVersion = type.version;
    const header = { systemVersionInfo: type.version, typeUrl: type.typeUrl, ...(this.env.controlPlaneId ? { controlPlaneId: this.env.controlPlaneId } : {}) };
    return encodeDeltaResponse(header, resources, removed, nonce);
  }

  /** Marks the stream up to date for `kind`, as far as the newest snapshot goes. */
  private settle(kind: ResourceKind, state: DeltaTypeState, withheld = false): void {
    this.pending.delete(kind);
    state.forced.clear();
    state.dirty = false;
    state.withheld = withheld;
    if (this.fleet !== undefined) state.syncedVersion = this.env.snapshotOf(this.fleet).deltaTypes[kind].version;
    if (waitsForClusters(kind)) this.recheckWithheld();
  }

  /** What a response of this kind would carry now, without changing any state. */
  private select(kind: ResourceKind, state: DeltaTypeState): DeltaSelection | undefined {
    if (this.fleet === undefined) return undefined;
    const snapshot = this.env.snapshotOf(this.fleet);
    const type = snapshot.deltaTypes[kind];
    if (!state.dirty && !state.responseOwed && !state.withheld && state.forced.size === 0 && state.syncedVersion === type.version) return undefined;
    const { subscription, known, forced } = state;
    // Removing a cluster (or its endpoints) before listeners and routes stop using it would send
    // traffic to nothing: such removals wait until those are settled.
    const holdRemovals = (kind === 'cluster' || kind === 'clusterLoadAssignment') && !this.routesSettled();
    const resources: EncodedResource[] = [];
    const removed = new Set<string>();
    let withheld = false;
    const removeOrHold = (name: string): void => {
      if (holdRemovals) withheld = true;
      else removed.add(name);
    };

    // Up to date with the previous version and nothing else pending: only the publish's own
    // changes can matter, so the cost per stream is the size of the change, not of the fleet.
    const since = type.since;
    if (since && state.syncedVersion === since.fromVersion && !state.dirty && !state.responseOwed && !state.withheld && forced.size === 0) {
      for (const name of since.changed) {
        const resource = type.resources.get(name);
        if (resource && subscription.includes(name, resource.inWildcard) && known.get(name) !== resource.version) resources.push(resource);
      }
      for (const name of since.removed) if (known.get(name) != null && subscription.covers(name)) removeOrHold(name);
    } else {
      for (const resource of coveredResources(type, subscription)) {
        if (forced.has(resource.name) || known.get(resource.name) !== resource.version) resources.push(resource);
      }
      for (const name of known.missingFrom(type)) if (subscription.covers(name)) removeOrHold(name);
      // A subscribed name that does not exist is answered in removed_resources, once (or again when re-subscribed).
      for (const name of subscription.names) {
        if (type.namespaces.has(name)) continue; // a VHDS namespace, answered with its members
        if (!type.resources.has(name) && (forced.has(name) || !known.has(name))) removed.add(name);
      }
    }
    const due = resources.length > 0 || removed.size > 0 || state.responseOwed;
    return { type, snapshot, resources, removed: [...removed].sort(), withheld, due };
  }

  /** Listener and route updates are built from the newest snapshot and answered. */
  private routesSettled(): boolean {
    return (['listener', 'routeConfiguration', 'virtualHost'] as const).every((kind) => {
      const state = this.types.get(kind);
      return !state || (state.inFlight.size === 0 && !this.select(kind, state)?.due);
    });
  }

  private recheckWithheld(): void {
    for (const kind of ['cluster', 'clusterLoadAssignment'] as const) if (this.types.get(kind)?.withheld) this.pending.add(kind);
  }

  /** Envoy keeps a changed cluster warming until it gets endpoints again, even unchanged ones. */
  private resendEndpointsOf(clusters: readonly EncodedResource[]): void {
    const endpoints = this.types.get('clusterLoadAssignment');
    if (!endpoints) return;
    for (const cluster of clusters) {
      if (cluster.endpointsName !== undefined && endpoints.subscription.names.has(cluster.endpointsName)) {
        endpoints.forced.add(cluster.endpointsName);
        this.pending.add('clusterLoadAssignment');
      }
    }
  }
}

/** The existing resources a subscription covers, in name order. */
function coveredResources(type: TypeSnapshot, subscription: DeltaSubscription): Iterable<EncodedResource> {
  if (!subscription.wildcard) return resourcesNamed(type, subscription.names);
  return [...type.resources.values()].filter((r) => r.inWildcard || subscription.includes(r.name, false));
}

function newTypeState(kind: ResourceKind): DeltaTypeState {
  const subscription = new DeltaSubscription(kind);
  return {
    subscription,
    known: new KnownVersions(subscription),
    forced: new Set(),
    inFlight: new Map(),
    dirty: true,
    responseOwed: false,
    withheld: false,
    initialResourceVersions: 0,
    nackCount: 0,
    unresolved: new Set(),
  };
}
