// What tells SotW and Delta apart inside the one stream state machine (xds-stream.ts): a few
// behaviour flags, and the parts that really differ between the two, the way go-control-plane's
// watches share one state machine and differ by isDelta / sendFullStateResponses. Everything else
// (nonces, ACK/NACK bookkeeping, push order, the Cluster gate, EDS re-sends, held removals,
// settling, budgets, hooks) is the machine's and is therefore the same for both.
import type { EncodedResource } from '../cache/encoded-resource.js';
import type { FleetSnapshot, TypeSnapshot, TypeSnapshots } from '../cache/fleet-snapshot.js';
import type { Node__Output } from '../generated/envoy/config/core/v3/Node.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import type { StreamStatus } from './stream-environment.js';
import type { SubscriptionBudget } from './subscription-budget.js';
import type { SubscriptionView, TypeState } from './type-state.js';

/** The fields every request has, whichever message carries them. */
export interface RequestEnvelope {
  typeUrl: string;
  node: Node__Output | null | undefined;
  nonce: string;
  error?: { code: number; message: string };
  /** SotW: version_info, what the client says it uses (unbounded, as sent); Delta: none. */
  clientVersion?: string;
}

/** The fields both request messages carry under the same names. */
interface RequestFields {
  type_url?: string;
  node?: Node__Output | null;
  response_nonce?: string;
  error_detail?: { code?: number; message?: string } | null;
}

/** The envelope fields both protocols read alike; SotW adds its version_info. */
export function envelopeOf(request: RequestFields): RequestEnvelope {
  const error = request.error_detail;
  return {
    typeUrl: request.type_url ?? '',
    node: request.node,
    nonce: request.response_nonce ?? '',
    ...(error ? { error: { code: error.code ?? 0, message: error.message ?? '' } } : {}),
  };
}

/** What a response of one kind would carry now. Computing it changes no state. */
export interface Selection {
  type: TypeSnapshot;
  snapshot: FleetSnapshot;
  /** What the response carries, in name order. */
  resources: EncodedResource[];
  /** Resources the client does not have in this version: their endpoints are re-sent after CDS. */
  changed: EncodedResource[];
  /** Delta: removed_resources. */
  removed: string[];
  /** SotW: version_info (a hash of the client's own view); Delta: system_version_info. */
  version: string;
  /** Something to send (Delta: possibly an empty response the client is owed). */
  due: boolean;
  /** Removals the response would make are held back for now. */
  holdsRemovals: boolean;
  /** SotW: exactly the wildcard set, so the body shared by every wildcard subscriber applies. */
  wildcardOnly?: boolean;
}

/** What a protocol's hooks may use of the stream. */
export interface StreamContext {
  readonly budget: SubscriptionBudget;
  /** A version string from the client, bounded as the stream keeps it. */
  clientVersion(version: string | null | undefined): string;
  /** The type as this protocol's clients get it now, if the stream has a fleet. */
  typeNow(kind: ResourceKind): TypeSnapshot | undefined;
}

export interface StreamProtocol<Request, View extends { readonly subscription: SubscriptionView }> {
  readonly name: StreamStatus['protocol'];
  /** How errors name the method: "ADS", "Delta ADS". */
  readonly method: string;
  /**
   * Delta: every response is answered separately, an older nonce still counts, and a request
   * with an unknown nonce is counted stale but its subscription change honoured. SotW: only the
   * newest response's nonce counts; a request answering an older one is superseded, ignored whole.
   */
  readonly everyResponseAnswered: boolean;
  /** Unanswered responses remembered per type (a forgotten answer only counts as a stale nonce). */
  readonly maxUnanswered: number;
  /** Delta: a NACK is resolved once each rejected resource was accepted; SotW: by the next ACK of the type. */
  readonly nackResolvedPerResource: boolean;
  /** Kinds whose removals wait until listeners and routes are settled. */
  readonly removalsHeldFor: ReadonlySet<ResourceKind>;

  envelope(request: Request): RequestEnvelope;
  /** Which view of the fleet this protocol's clients get. */
  typesOf(snapshot: FleetSnapshot): TypeSnapshots;
  newState(kind: ResourceKind, request: Request, context: StreamContext): TypeState<View>;
  /** Applies the request's subscription change (and, for a first request, what the client already holds). */
  subscribe(kind: ResourceKind, state: TypeState<View>, request: Request, first: boolean, context: StreamContext): void;
  /** What to send, once the machine knows something may differ from the newest snapshot. */
  select(kind: ResourceKind, state: TypeState<View>, type: TypeSnapshot, snapshot: FleetSnapshot, holdRemovals: boolean): Selection | undefined;
  /** The stream is up to date with `type` as far as `selection` goes; returns whether removals are held back. */
  settle(kind: ResourceKind, state: TypeState<View>, type: TypeSnapshot, selection: Selection | undefined): boolean;
  /** A response of `selection` is being sent: the client now holds what it carries. */
  commit(kind: ResourceKind, state: TypeState<View>, selection: Selection): void;
  encode(selection: Selection, nonce: string, controlPlaneId: string | undefined): Buffer;
}
