// The state of one State-of-the-World ADS stream: what the client subscribed to per type, what it
// was sent, which nonce it must answer, and what is still due. Requests come in through
// handleRequest, configuration changes through fleetChanged; responses go out one at a time, in
// make-before-break order, built from the newest snapshot at the moment a push slot is free. So a
// slow client holds at most one response in flight and its backlog coalesces to the newest state.
// Knows nothing about gRPC: the server hands it a write function.
import { PushingStream } from './pushing-stream.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import type { FleetSnapshot, TypeSnapshot } from '../cache/fleet-snapshot.js';
import { originsOf, resourcesNamed } from '../cache/fleet-snapshot.js';
import { typeVersion } from '../cache/content-version.js';
import type { DiscoveryRequest__Output } from '../generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import { RESOURCE_TYPES, TYPE_URL_PREFIX } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { encodeResponseBody, withNonce } from './discovery-response.js';
import { rejectedResourceNames } from './nack.js';
import type { NackEvent } from './nack.js';
import { PUSH_ORDER, isFullStateKind, waitsForClusters } from './push-order.js';
import { Subscription } from './subscription.js';
import { compareStrings } from '../util/compare-strings.js';
import type { StreamStatus, TypeStatus } from './stream-environment.js';

export { ProtocolError } from './stream-environment.js';
export type { NodeIdentity, StreamEnvironment, StreamHooks, StreamStatus, TypeStatus, WriteResponse } from './stream-environment.js';

interface SentResponse {
  nonce: string;
  version: string;
  names: string[];
  snapshot: FleetSnapshot;
  at: number;
}

interface TypeState {
  readonly subscription: Subscription;
  /** What the client was last given, by name: decides what still has to be sent. */
  readonly sent: Map<string, EncodedResource>;
  /** Names to send on the next response even if unchanged (new subscriptions, EDS after CDS). */
  readonly forced: Set<string>;
  fullStateDue: boolean;
  initialVersion: string;
  lastResponse?: SentResponse;
  awaitingAnswer: boolean;
  ackedVersion?: string;
  nackCount: number;
  lastNack?: NackEvent;
  /** Type version the stream was last brought up to date with. */
  syncedVersion?: string;
  /** The client holds resources that left the configuration (clusters routes may still use). */
  retaining: boolean;
}

export class AdsStream extends PushingStream<TypeState> {
  readonly protocol = 'sotw';

  handleRequest(request: DiscoveryRequest__Output): void {
    if (this.closed) return;
    const kind = this.acceptRequest(request.type_url ?? '', request.node, 'ADS');
    if (!kind) return;
    const existing = this.types.get(kind);
    const state = existing ?? newTypeState(kind, this.clientVersion(request.version_info));
    if (!existing) this.types.set(kind, state);

    const nonce = request.response_nonce ?? '';
    const last = state.lastResponse;
    // SotW: a request answering an older response is superseded by the answer to the newest one.
    if (last && nonce !== '' && nonce !== last.nonce) {
      this.env.hooks.staleNonce(this, kind);
      return;
    }
    if (last && nonce === last.nonce) this.recordAnswer(kind, state, last, request);
    // An empty nonce means the client has seen nothing from us on this type: give it everything.
    if (nonce === '' && existing) state.sent.clear();
    this.updateSubscription(state, request.resource_names ?? [], !existing || nonce === '');
    this.pending.add(kind);
    this.pump();
  }

  /** ACK or NACK of the newest response, told apart by error_detail only. */
  private recordAnswer(kind: ResourceKind, state: TypeState, last: SentResponse, request: DiscoveryRequest__Output): void {
    if (state.awaitingAnswer) {
      state.awaitingAnswer = false;
      if (request.error_detail) this.recordNack(kind, state, last, request);
      else this.recordAck(kind, state, this.clientVersion(request.version_info), last.at);
    } else if (request.error_detail && state.lastNack?.nonce !== last.nonce) {
      this.recordNack(kind, state, last, request);
    }
    // Otherwise the client repeats an answer (grpc-js-xds does on every subscription change).
    if (waitsForClusters(kind)) this.recheckRetainedClusters();
  }

  /**
   * Whether the client's listeners and routes are built from the newest snapshot and answered:
   * only then can clusters that left the configuration be removed from it (make before break).
   */
  private routesSettled(): boolean {
    return (['listener', 'routeConfiguration'] as const).every((kind) => {
      const state = this.types.get(kind);
      return !state || (!state.awaitingAnswer && !this.select(kind, state));
    });
  }

  private recheckRetainedClusters(): void {
    if (this.types.get('cluster')?.retaining) this.pending.add('cluster');
  }

  private updateSubscription(state: TypeState, names: readonly string[], everythingDue: boolean): void {
    const change = state.subscription.update(names);
    this.budget.change(change.added, change.removed);
    for (const name of change.removed) {
      state.sent.delete(name);
      state.forced.delete(name);
    }
    for (const name of change.added) state.forced.add(name);
    if (everythingDue || change.added.length > 0 || change.removed.length > 0 || change.wildcardChanged) state.fullStateDue = true;
  }

  status(): StreamStatus {
    const types: Record<string, TypeStatus> = {};
    for (const kind of PUSH_ORDER) {
      const state = this.types.get(kind);
      if (!state) continue;
      types[TYPE_URL_PREFIX + RESOURCE_TYPES[kind]] = {
        subscribed: state.subscription.describe(),
        subscribedCount: state.subscription.names.size,
        initialVersion: state.initialVersion,
        ...(state.lastResponse ? { sentVersion: state.lastResponse.version } : {}),
        ...(state.ackedVersion !== undefined ? { ackedVersion: state.ackedVersion } : {}),
        nackCount: state.nackCount,
        ...(state.lastNack ? { lastNack: this.lastNackStatus(state.lastNack) } : {}),
      };
    }
    return this.statusOf(types);
  }

  /** The first pending kind, in push order, that has something to send and is not held back. */
  protected nextDueKind(): ResourceKind | undefined {
    const clusters = this.types.get('cluster');
    const gateOpensAt = clusters?.awaitingAnswer && clusters.lastResponse ? clusters.lastResponse.at + this.env.clusterAckWaitMs : 0;
    const now = Date.now();
    // Two passes: settling routes can make clusters due again (removals wait for routes).
    for (let pass = 0; pass < 2; pass++) {
      for (const kind of PUSH_ORDER) {
        if (!this.pending.has(kind)) continue;
        const state = this.types.get(kind);
        if (!state) {
          this.pending.delete(kind);
          continue;
        }
        if (!this.select(kind, state)) {
          this.settle(kind, state);
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

  private scheduleGateCheck(delayMs: number): void {
    clearTimeout(this.gateTimer);
    this.gateTimer = setTimeout(() => this.pump(), delayMs + 1);
    this.gateTimer.unref();
  }

  /** Commits the response due for `kind` (if still due) and returns its bytes. */
  protected respond(kind: ResourceKind): Buffer | undefined {
    const state = this.types.get(kind);
    if (!state) return undefined;
    const selection = this.select(kind, state);
    this.settle(kind, state);
    if (!selection) return undefined;
    const { type, snapshot } = selection;
    if (isFullStateKind(kind)) state.sent.clear();
    for (const resource of selection.resources) state.sent.set(resource.name, resource);
    state.retaining = holdsRemoved(state, type);
    if (kind === 'cluster') this.resendEndpointsOf(selection.changed);

    const nonce = this.nextNonce();
    state.lastResponse = { nonce, version: selection.version, names: selection.resources.map((r) => r.name), snapshot, at: Date.now() };
    state.awaitingAnswer = true;
    const body = selection.wildcardOnly ? this.wildcardBody(type) : encodeResponseBody(this.header(type, selection.version), selection.resources);
    return withNonce(body, nonce);
  }

  /** Marks the stream up to date for `kind`, as far as the newest snapshot goes. */
  private settle(kind: ResourceKind, state: TypeState): void {
    this.pending.delete(kind);
    state.forced.clear();
    state.fullStateDue = false;
    if (this.fleet === undefined) return;
    const type = this.env.snapshotOf(this.fleet).types[kind];
    state.syncedVersion = type.version;
    if (isFullStateKind(kind)) {
      // For LDS/CDS `sent` is exactly what the client holds; it changes only with a response.
      if (state.subscription.empty) state.sent.clear();
      state.retaining = holdsRemoved(state, type);
    } else {
      // A name that vanished and comes back must be sent again, even with the same content.
      for (const name of [...state.sent.keys()]) if (!type.resources.has(name)) state.sent.delete(name);
    }
    if (waitsForClusters(kind)) this.recheckRetainedClusters();
  }

  /** What a response of this kind would carry now, without changing any state. */
  private select(kind: ResourceKind, state: TypeState): Selection | undefined {
    if (this.fleet === undefined) return undefined;
    const snapshot = this.env.snapshotOf(this.fleet);
    const type = snapshot.types[kind];
    // Same content as when last in sync and the same subscription: nothing can be due.
    if (!state.fullStateDue && state.forced.size === 0 && !state.retaining && state.syncedVersion === type.version) return undefined;
    const picked = isFullStateKind(kind) ? pickFullState(state, type, kind === 'cluster' && !this.routesSettled()) : pickChanged(state, type);
    return picked ? { ...picked, type, snapshot } : undefined;
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

  private header(type: TypeSnapshot, versionInfo: string): { versionInfo: string; typeUrl: string; controlPlaneId?: string } {
    return { versionInfo, typeUrl: type.typeUrl, ...(this.env.controlPlaneId ? { controlPlaneId: this.env.controlPlaneId } : {}) };
  }

  // Every wildcard subscriber of a fleet (every Envoy) gets the same LDS/CDS body: build it once.
  private wildcardBody(type: TypeSnapshot): Buffer {
    let body = wildcardBodies.get(type);
    if (!body) {
      body = encodeResponseBody(this.header(type, type.wildcardVersion), type.wildcardNames.map((name) => type.resources.get(name)).filter(isDefined));
      wildcardBodies.set(type, body);
    }
    return body;
  }

  private recordAck(kind: ResourceKind, state: TypeState, version: string, sentAt: number): void {
    state.ackedVersion = version;
    this.env.hooks.acked(this, kind, version, sentAt);
    const previous = state.lastNack;
    if (!previous) return;
    state.lastNack = undefined;
    this.env.hooks.nackResolved({
      ...this.reportHeader(kind),
      version,
      previous,
    });
  }

  private recordNack(kind: ResourceKind, state: TypeState, response: SentResponse, request: DiscoveryRequest__Output): void {
    const detail = request.error_detail?.message ?? '';
    const rejected = rejectedResourceNames(detail, response.names);
    const message = this.errorMessageOf(detail);
    const event: NackEvent = {
      ...this.reportHeader(kind),
      nonce: response.nonce,
      rejectedVersion: response.version,
      clientVersion: this.clientVersion(request.version_info),
      responseResources: response.names,
      rejectedResources: rejected,
      errorCode: request.error_detail?.code ?? 0,
      errorMessage: message,
      origins: originsOf(response.snapshot, kind, rejected),
    };
    state.nackCount += 1;
    state.lastNack = event;
    this.env.hooks.nacked(event);
  }
}

interface Picked {
  /**
   * version_info: a hash of everything the client is subscribed to that exists, not of the whole
   * type. A client therefore sees a new version only when its own view changed, and a restarted
   * server hands a reconnecting client the very version it already holds.
   */
  version: string;
  resources: EncodedResource[];
  /** Resources the client does not have in this version (their endpoints are re-sent after CDS). */
  changed: EncodedResource[];
  /** Exactly the wildcard set: the body shared by all wildcard subscribers of the fleet applies. */
  wildcardOnly: boolean;
}

interface Selection extends Picked {
  type: TypeSnapshot;
  snapshot: FleetSnapshot;
}

/**
 * LDS/CDS: everything subscribed, whenever any of it changed, appeared or disappeared. With
 * `retainRemoved`, resources the client holds that left the configuration are kept in the set
 * (clusters that routes not yet updated may still point at) and removed by a later response.
 */
function pickFullState(state: TypeState, type: TypeSnapshot, retainRemoved: boolean): Picked | undefined {
  const { subscription } = state;
  if (subscription.empty) return undefined;
  const resources: EncodedResource[] = [];
  const changed: EncodedResource[] = [];
  for (const resource of type.resources.values()) {
    if (!subscription.includes(resource.name, resource.inWildcard)) continue;
    resources.push(resource);
    if (state.sent.get(resource.name)?.version !== resource.version || state.forced.has(resource.name)) changed.push(resource);
  }
  let retained = false;
  if (retainRemoved) {
    for (const [name, held] of state.sent) {
      if (!type.resources.has(name) && subscription.includes(name, held.inWildcard)) {
        resources.push(held);
        retained = true;
      }
    }
    if (retained) resources.sort((a, b) => compareStrings(a.name, b.name));
  }
  const sameSet = changed.length === 0 && resources.length === state.sent.size;
  if (sameSet && !state.fullStateDue) return undefined;
  const wildcardOnly = !retained && subscription.wildcard && subscription.names.size === 0;
  return { version: wildcardOnly ? type.wildcardVersion : versionOfView(resources), resources, changed, wildcardOnly };
}

/** RDS/EDS/SDS: subscribed resources that are new to the client or changed; missing names wait. */
function pickChanged(state: TypeState, type: TypeSnapshot): Picked | undefined {
  const resources: EncodedResource[] = [];
  const view: EncodedResource[] = [];
  for (const resource of resourcesNamed(type, state.subscription.names)) {
    const { name } = resource;
    view.push(resource);
    if (state.forced.has(name) || state.sent.get(name)?.version !== resource.version) resources.push(resource);
  }
  return resources.length > 0 ? { version: versionOfView(view), resources, changed: resources, wildcardOnly: false } : undefined;
}

function holdsRemoved(state: TypeState, type: TypeSnapshot): boolean {
  for (const name of state.sent.keys()) if (!type.resources.has(name)) return true;
  return false;
}

function versionOfView(resources: readonly EncodedResource[]): string {
  return typeVersion(new Map(resources.map((r) => [r.name, r.version])));
}

// Keyed by the immutable TypeSnapshot, so bodies die with the snapshot that produced them.
const wildcardBodies = new WeakMap<TypeSnapshot, Buffer>();

function newTypeState(kind: ResourceKind, initialVersion: string): TypeState {
  return {
    subscription: new Subscription(kind),
    sent: new Map(),
    retaining: false,
    forced: new Set(),
    fullStateDue: true,
    initialVersion,
    awaitingAnswer: false,
    nackCount: 0,
  };
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}
