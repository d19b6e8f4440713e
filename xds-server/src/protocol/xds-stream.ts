// The one state machine of an ADS stream, for SotW and Delta alike: per type, what the client
// subscribed to, what it was sent, which answers are outstanding, and what is still due. Requests
// come in through handleRequest, configuration changes through fleetChanged; responses go out one
// at a time (pushing-stream.ts), in make-before-break order (push-order.ts), built from the newest
// snapshot when a push slot is free, so a slow client's backlog coalesces to the newest state.
// What differs between the protocols (subscription rules, what the client holds, what a response
// carries, its encoding) is the StreamProtocol's (sotw-protocol.ts, delta-protocol.ts); the gate,
// the EDS re-sends, held removals and settling are here, once, and ACK/NACK bookkeeping is
// answers.ts's.
import type { EncodedResource } from '../cache/encoded-resource.js';
import { RESOURCE_TYPES, TYPE_URL_PREFIX } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { takeAnswer } from './answers.js';
import type { AnswerDesk } from './answers.js';
import { PUSH_ORDER, waitsForClusters } from './push-order.js';
import { PushingStream } from './pushing-stream.js';
import type { StreamEnvironment, StreamStatus, TypeStatus, WriteResponse } from './stream-environment.js';
import type { Selection, StreamContext, StreamProtocol } from './stream-protocol.js';
import type { SentResponse, SubscriptionView, TypeState } from './type-state.js';

/** Listener and route kinds: cluster removals wait until these are answered and up to date. */
const ROUTE_KINDS = ['listener', 'routeConfiguration', 'virtualHost'] as const;

export class XdsStream<Request, View extends { readonly subscription: SubscriptionView }> extends PushingStream<TypeState<View>, Selection> {
  readonly protocol: StreamStatus['protocol'];
  private readonly context: StreamContext;
  private readonly desk: AnswerDesk;
  /** Per kind, the number of the last shared message this stream was sent (message()). */
  private readonly lastSharedSerial = new Map<ResourceKind, number>();

  constructor(
    streamId: number,
    env: StreamEnvironment,
    write: WriteResponse,
    private readonly rules: StreamProtocol<Request, View>,
  ) {
    super(streamId, env, write);
    this.protocol = rules.name;
    this.context = {
      budget: this.budget,
      clientVersion: (version) => this.clientVersion(version),
      typeNow: (kind) => (this.fleet === undefined ? undefined : this.rules.typesOf(this.env.snapshotOf(this.fleet))[kind]),
    };
    this.desk = {
      stream: this,
      hooks: env.hooks,
      rules,
      reportHeader: (kind) => this.reportHeader(kind),
      clientVersion: (version) => this.clientVersion(version),
      errorMessageOf: (detail) => this.errorMessageOf(detail),
    };
  }

  handleRequest(request: Request): void {
    if (this.closed) return;
    const envelope = this.rules.envelope(request);
    const kind = this.acceptRequest(envelope.typeUrl, envelope.node, this.rules.method);
    if (!kind) return;
    const existing = this.types.get(kind);
    const state = existing ?? this.rules.newState(kind, request, this.context);
    if (!existing) this.types.set(kind, state);
    const answer = takeAnswer(this.desk, kind, state, envelope);
    if (answer === 'superseded') return;
    // Answered listener or route updates may release cluster removals held back for them.
    if (answer === 'booked' && waitsForClusters(kind)) this.recheckHeldRemovals();
    this.rules.subscribe(kind, state, request, !existing, this.context);
    // Most requests only answer (a thousand ACKs a change) and make nothing of their kind due: a
    // subscription change, a first request or a resend asked for set one of these. A publish made
    // the kind pending already. The pump still runs: an answer can open the cluster gate.
    if (!existing || state.dirty || state.responseOwed || state.forced.size > 0) this.pending.add(kind);
    this.pump();
  }

  status(): StreamStatus {
    const types: Record<string, TypeStatus> = {};
    for (const kind of PUSH_ORDER) {
      const state = this.types.get(kind);
      if (!state) continue;
      const { subscription } = state.view;
      types[TYPE_URL_PREFIX + RESOURCE_TYPES[kind]] = {
        subscribed: subscription.describe(),
        subscribedCount: subscription.names.size,
        initialVersion: state.initialVersion,
        ...(state.initialResourceVersions !== undefined ? { initialResourceVersions: state.initialResourceVersions } : {}),
        ...(state.sentVersion !== undefined ? { sentVersion: state.sentVersion } : {}),
        ...(state.ackedVersion !== undefined ? { ackedVersion: state.ackedVersion } : {}),
        nackCount: state.nackCount,
        ...(state.lastNack ? { lastNack: this.lastNackStatus(state.lastNack) } : {}),
      };
    }
    return this.statusOf(types);
  }

  /** What the protocol keeps for `kind` (subscription, what the client holds): tests check what streams share. */
  viewOf(kind: ResourceKind): View | undefined {
    return this.types.get(kind)?.view;
  }

  /** The first pending kind, in push order, that has something to send and is not held back. */
  protected nextDue(): { kind: ResourceKind; selected: Selection } | undefined {
    // Asked after every write and every ACK, and most often with nothing pending.
    if (this.pending.size === 0) return undefined;
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
          this.settle(kind, state, selection);
          continue;
        }
        if (waitsForClusters(kind) && gateOpensAt > now) {
          this.scheduleGateCheck(gateOpensAt - now);
          continue;
        }
        return { kind, selected: selection };
      }
    }
    return undefined;
  }

  /**
   * LDS/RDS/VHDS wait for the oldest unanswered Cluster response, at most clusterAckWaitMs: Envoy
   * answers CDS once its clusters are warm, so routes never lead to clusters still warming.
   */
  private clusterGateOpensAt(): number {
    const clusters = this.types.get('cluster');
    // Oldest first: the Map keeps the order responses were sent in.
    const oldest = clusters?.unanswered.values().next().value;
    return oldest ? oldest.at + this.env.clusterAckWaitMs : 0;
  }

  private scheduleGateCheck(delayMs: number): void {
    clearTimeout(this.gateTimer);
    this.gateTimer = setTimeout(() => this.pump(), delayMs + 1);
    this.gateTimer.unref();
  }

  /** Commits the response due for `kind` (if still due) and returns its bytes. */
  protected respond(kind: ResourceKind, selected: Selection | undefined): Buffer | undefined {
    const state = this.types.get(kind);
    if (!state) return undefined;
    // A push to a thousand streams selects a thousand times: not twice each.
    const selection = selected ?? this.select(kind, state);
    this.settle(kind, state, selection);
    if (!selection?.due) return undefined;
    this.rules.commit(kind, state, selection);
    if (kind === 'cluster') this.resendEndpointsOf(selection.changed);

    const { nonce, bytes } = this.message(kind, selection);
    const sent: SentResponse = { nonce, version: selection.version, names: selection.resources.map((r) => r.name), removed: selection.removed, snapshot: selection.snapshot, at: Date.now() };
    state.unanswered.set(nonce, sent);
    if (state.unanswered.size > this.rules.maxUnanswered) state.unanswered.delete(state.unanswered.keys().next().value ?? '');
    if (!this.rules.everyResponseAnswered) state.lastResponse = sent;
    state.sentVersion = selection.version;
    return bytes;
  }

  /**
   * The response's bytes and nonce: the message other streams in the same position were sent
   * (shared-responses.ts), if it is numbered above the last shared message this stream took for
   * the kind; else (content that came back, A → B → A) a copy with a nonce of its own. A stream
   * therefore never sees a nonce twice, so a late answer to an earlier response can never pass
   * for an answer to a later one.
   */
  private message(kind: ResourceKind, selection: Selection): { nonce: string; bytes: Buffer } {
    const encode = (nonce: string): Buffer => this.rules.encode(selection, nonce, this.env.controlPlaneId);
    const shared = this.env.responses?.get(this.rules.name, selection, this.env.controlPlaneId, encode);
    if (shared && shared.serial > (this.lastSharedSerial.get(kind) ?? 0)) {
      this.lastSharedSerial.set(kind, shared.serial);
      return shared;
    }
    const nonce = this.nextNonce();
    return { nonce, bytes: encode(nonce) };
  }

  /** Marks the stream up to date for `kind`, as far as the newest snapshot goes. */
  private settle(kind: ResourceKind, state: TypeState<View>, selection: Selection | undefined): void {
    this.pending.delete(kind);
    state.forced.clear();
    state.dirty = false;
    const type = this.context.typeNow(kind);
    if (type) {
      state.syncedVersion = type.version;
      state.holdingRemovals = this.rules.settle(kind, state, type, selection);
    }
    if (waitsForClusters(kind)) this.recheckHeldRemovals();
  }

  /** What a response of this kind would carry now, without changing any state. */
  private select(kind: ResourceKind, state: TypeState<View>): Selection | undefined {
    if (this.fleet === undefined) return undefined;
    const snapshot = this.env.snapshotOf(this.fleet);
    const type = this.rules.typesOf(snapshot)[kind];
    // Same content as when last in sync and nothing asked of it since: nothing can be due.
    if (!state.dirty && !state.responseOwed && !state.holdingRemovals && state.forced.size === 0 && state.syncedVersion === type.version) return undefined;
    // Removing a cluster (or its endpoints) before listeners and routes stop using it would send
    // traffic to nothing: such removals wait until those are settled.
    const holdRemovals = this.rules.removalsHeldFor.has(kind) && !this.routesSettled();
    return this.rules.select(kind, state, type, snapshot, holdRemovals);
  }

  /** Listener and route updates are built from the newest snapshot and answered. */
  private routesSettled(): boolean {
    return ROUTE_KINDS.every((kind) => {
      const state = this.types.get(kind);
      return !state || (state.unanswered.size === 0 && !this.select(kind, state)?.due);
    });
  }

  private recheckHeldRemovals(): void {
    for (const kind of ['cluster', 'clusterLoadAssignment'] as const) if (this.types.get(kind)?.holdingRemovals) this.pending.add(kind);
  }

  /** Envoy keeps a changed cluster warming until it gets endpoints again, even unchanged ones. */
  private resendEndpointsOf(clusters: readonly EncodedResource[]): void {
    const endpoints = this.types.get('clusterLoadAssignment');
    if (!endpoints) return;
    for (const cluster of clusters) {
      if (cluster.endpointsName !== undefined && endpoints.view.subscription.names.has(cluster.endpointsName)) {
        endpoints.forced.add(cluster.endpointsName);
        this.pending.add('clusterLoadAssignment');
      }
    }
  }
}
