// The push loop under the one stream machine (xds-stream.ts), whatever the protocol: the node it
// serves, which types are due, and the single writer. One response is in flight at a
// time, taken from a global throttle slot and built only when the slot is granted, so whatever
// changed while the stream waited is coalesced into one response from the newest snapshot.
import type { Node__Output } from '../generated/envoy/config/core/v3/Node.js';
import { RESOURCE_TYPES, TYPE_URL_PREFIX } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { boundText } from './bounded-text.js';
import type { NackEvent, StreamReport } from './nack.js';
import type { ReleaseSlot } from './push-throttle.js';
import { someNames } from './status-names.js';
import { ProtocolError, kindOfTypeUrl, nodeIdentity } from './stream-environment.js';
import type { NodeIdentity, StreamEnvironment, StreamStatus, TypeStatus, WriteResponse } from './stream-environment.js';
import { SubscriptionBudget } from './subscription-budget.js';
import { DEFAULT_STREAM_LIMITS, MAX_CLIENT_VERSION_CHARS, MAX_LOGGED_TYPE_URL_CHARS, MAX_UNSUPPORTED_TYPES_LOGGED } from './stream-limits.js';
import type { StreamLimits } from './stream-limits.js';

export abstract class PushingStream<TypeState, Selected = unknown> {
  abstract readonly protocol: StreamStatus['protocol'];
  node?: NodeIdentity;
  protected readonly types = new Map<ResourceKind, TypeState>();
  protected readonly pending = new Set<ResourceKind>();
  protected closed = false;
  private readonly unknownTypesLogged = new Set<string>();
  private nonceCounter = 0;
  protected gateTimer?: NodeJS.Timeout;
  private writing = false;
  private pumpQueued = false;
  private heldSlot?: ReleaseSlot;
  /** Gives back the bytes of the response being written (when it is written, or the stream closes). */
  private heldBytes?: () => void;
  /** When the response being written was handed over. */
  private writeStartedAt = 0;
  /** The previous response was written within the throttle's hold time: this client reads. */
  private prompt = false;
  private readonly connectedAt = new Date();
  protected readonly limits: StreamLimits;
  /** Names subscribed over all types: what bounds the stream's own memory. */
  protected readonly budget: SubscriptionBudget;

  constructor(
    readonly streamId: number,
    protected readonly env: StreamEnvironment,
    private readonly write: WriteResponse,
  ) {
    this.limits = env.limits ?? DEFAULT_STREAM_LIMITS;
    this.budget = new SubscriptionBudget(this.limits);
  }

  get fleet(): string | undefined {
    return this.node?.cluster;
  }

  /** True while nothing is pending or being written (or the stream is closed): safe to end the stream. */
  get idle(): boolean {
    return this.closed || (!this.writing && this.pending.size === 0);
  }

  /**
   * The fleet's configuration changed for these kinds. The stream looks at it in a microtask, so
   * what is published in the same turn (clusters, then their endpoints) goes out as one response.
   */
  fleetChanged(kinds: readonly ResourceKind[]): void {
    for (const kind of kinds) if (this.types.has(kind)) this.pending.add(kind);
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      try {
        this.pump();
      } catch (error) {
        this.env.hooks.failed(this, error);
      }
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pending.clear();
    clearTimeout(this.gateTimer);
    this.releaseHeld();
  }

  /**
   * What every request starts with, whatever the variant: type_url is required, the node comes
   * from the first request, and a type Portico does not serve is logged once and ignored.
   * Returns the kind the request is about, or undefined when there is nothing more to do.
   */
  protected acceptRequest(typeUrl: string, node: Node__Output | null | undefined, variant: string): ResourceKind | undefined {
    if (typeUrl === '') throw new ProtocolError(`type_url is required on every ${variant} request`);
    if (!this.node) {
      this.node = nodeIdentity(node, this.limits);
      this.env.hooks.identified(this);
    }
    const kind = kindOfTypeUrl(typeUrl);
    // Remembered (to log once) up to a bound: the set would grow with every made-up type URL.
    if (!kind && !this.unknownTypesLogged.has(typeUrl) && this.unknownTypesLogged.size < MAX_UNSUPPORTED_TYPES_LOGGED) {
      this.unknownTypesLogged.add(typeUrl);
      this.env.logger.warn('xds.unsupported_type', { streamId: this.streamId, nodeId: this.node.id, typeUrl: boundText(typeUrl, MAX_LOGGED_TYPE_URL_CHARS) });
    }
    return kind;
  }

  /** A version_info from the client, as the stream keeps and reports it (initial, acknowledged, NACKed with). */
  protected clientVersion(version: string | null | undefined): string {
    return boundText(version ?? '', MAX_CLIENT_VERSION_CHARS);
  }

  /** error_detail.message as NACK events keep it: bounded, never the whole of what the client sent. */
  protected errorMessageOf(message: string): string {
    return boundText(message, this.limits.maxErrorDetailChars);
  }

  /** A NACK as a stream's status shows it: a few of the rejected resources, and how many there were. */
  protected lastNackStatus(nack: NackEvent): NonNullable<TypeStatus['lastNack']> {
    return { nonce: nack.nonce, time: nack.time, message: nack.errorMessage, resources: someNames(nack.rejectedResources), resourceCount: nack.rejectedResources.length };
  }

  /** Nonces are only compared within one stream: a counter is enough. */
  protected nextNonce(): string {
    return String(++this.nonceCounter);
  }

  /**
   * The next kind to send, in push order, with what was selected for it; undefined when nothing
   * is due (or it is held back).
   */
  protected abstract nextDue(): { kind: ResourceKind; selected: Selected } | undefined;

  /**
   * The response for `kind` from the newest snapshot, or undefined when there is nothing to say.
   * `selected`: what nextDue found, when nothing can have changed since.
   */
  protected abstract respond(kind: ResourceKind, selected: Selected | undefined): Buffer | undefined;

  /** The fields every NACK report (and its resolution) of this stream starts with. */
  protected reportHeader(kind: ResourceKind): StreamReport {
    return {
      time: new Date().toISOString(),
      nodeId: this.node?.id ?? '',
      fleet: this.fleet ?? '',
      streamId: this.streamId,
      kind,
      typeUrl: TYPE_URL_PREFIX + RESOURCE_TYPES[kind],
    };
  }

  protected statusOf(types: Record<string, TypeStatus>): StreamStatus {
    return {
      streamId: this.streamId,
      protocol: this.protocol,
      nodeId: this.node?.id ?? '',
      fleet: this.fleet ?? '',
      userAgent: this.node?.userAgent ?? '',
      connectedAt: this.connectedAt.toISOString(),
      types,
    };
  }

  protected pump(): void {
    if (this.writing || this.closed || this.fleet === undefined) return;
    const due = this.nextDue();
    if (!due) return;
    const { kind } = due;
    this.writing = true;
    // A slot free at once is granted inside acquire(), before anything can change this stream:
    // what nextDue selected still holds. A grant that waits selects again, and nothing selected
    // is kept while it waits (a fleet connecting queues a thousand streams at once).
    let selected: Selected | undefined = due.selected;
    this.env.throttle.acquire(this.prompt, (release) => this.granted(kind, release, selected));
    selected = undefined;
  }

  /** Builds the response only now, from the newest snapshot: whatever changed while waiting is coalesced. */
  private granted(kind: ResourceKind, release: ReleaseSlot, selected: Selected | undefined): void {
    if (this.closed) {
      release();
      return;
    }
    this.heldSlot = release;
    // What the slot was asked for with: the write below may complete (and change it) at once.
    const prompt = this.prompt;
    const response = this.respond(kind, selected);
    if (!response) {
      this.finishWrite();
      return;
    }
    this.env.hooks.responded(this, kind, response.length);
    this.heldBytes = this.env.throttle.holdBytes(response.length);
    this.writeStartedAt = Date.now();
    this.write(response, () => {
      this.prompt = Date.now() - this.writeStartedAt <= this.env.throttle.holdMs;
      this.finishWrite();
    });
    // Handed over: a small response to a stream that reads frees its slot now (its bytes count
    // until it is written). A write that completed at once gave it back already.
    if (!this.env.throttle.keepsSlot(response.length, prompt) && this.heldSlot === release) {
      release();
      this.heldSlot = undefined;
    }
  }

  private finishWrite(): void {
    this.releaseHeld();
    this.writing = false;
    this.pump();
  }

  /** Gives the push slot and the response's bytes back to the throttle, once. */
  private releaseHeld(): void {
    this.heldSlot?.();
    this.heldSlot = undefined;
    this.heldBytes?.();
    this.heldBytes = undefined;
  }
}
