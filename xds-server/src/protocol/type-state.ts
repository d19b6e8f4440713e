// What one ADS stream keeps per resource type, whichever protocol it speaks. The protocol's own
// part (its subscription rules and its record of what the client holds) is the `view`; the rest
// is the bookkeeping the one state machine (xds-stream.ts) runs the same way for SotW and Delta.
import type { FleetSnapshot } from '../cache/fleet-snapshot.js';
import type { NackEvent } from './nack.js';

/** A response as the stream remembers it until it is answered (and, for SotW, after). */
export interface SentResponse {
  nonce: string;
  /** SotW: the version_info sent (a hash of the client's view); Delta: system_version_info. */
  version: string;
  names: string[];
  /** Delta: names in removed_resources (an ACK of them resolves a NACK of them); SotW: none. */
  removed: string[];
  /** The snapshot it was built from: a NACK is traced to the origins of what was rejected. */
  snapshot: FleetSnapshot;
  at: number;
}

/** The subscription surface the machine needs, whichever rules fill it. */
export interface SubscriptionView {
  readonly names: ReadonlySet<string>;
  readonly wildcard: boolean;
  /** Whether the client would hold a resource of this name (for names that no longer exist too). */
  covers(name: string): boolean;
  describe(): string[];
}

export interface TypeState<View extends { readonly subscription: SubscriptionView }> {
  readonly view: View;
  /** Names to answer on the next response even if the client has them (new subscriptions, EDS after CDS). */
  readonly forced: Set<string>;
  /**
   * Responses not answered yet, by nonce, oldest first. SotW keeps one (a newer response
   * supersedes it), Delta up to the protocol's bound (each response is answered separately).
   */
  readonly unanswered: Map<string, SentResponse>;
  /** SotW only: the newest response, answered or not; its nonce is the only one that counts. */
  lastResponse?: SentResponse;
  /** The subscription changed (or the client asked for everything again) since the last settle. */
  dirty: boolean;
  /** Delta: the client had nothing of this type, so it is answered even with nothing. */
  responseOwed: boolean;
  /** Removals held back until listeners and routes no longer use what is removed (make before break). */
  holdingRemovals: boolean;
  /** Type version the stream was last brought up to date with. */
  syncedVersion?: string;
  /** Only the version of the newest response: its names are not kept once answered (Delta, 1,000 streams × every name). */
  sentVersion?: string;
  ackedVersion?: string;
  /** SotW: version_info of the first request of this type; Delta: ''. */
  readonly initialVersion: string;
  /** Delta: how many initial_resource_versions the client reported; SotW: absent. */
  initialResourceVersions?: number;
  nackCount: number;
  lastNack?: NackEvent;
  /** Delta: rejected resources not yet accepted in another version (or gone): the NACK is unresolved. */
  readonly unresolved: Set<string>;
}

export function newTypeState<View extends { readonly subscription: SubscriptionView }>(view: View, initialVersion: string, initialResourceVersions: number | undefined): TypeState<View> {
  return {
    view,
    forced: new Set(),
    unanswered: new Map(),
    dirty: true,
    responseOwed: false,
    holdingRemovals: false,
    initialVersion,
    ...(initialResourceVersions !== undefined ? { initialResourceVersions } : {}),
    nackCount: 0,
    unresolved: new Set(),
  };
}
