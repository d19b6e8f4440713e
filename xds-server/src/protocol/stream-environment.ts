// What every ADS stream (state of the world or Delta) is given by the server, and what it reports
// back. Streams know nothing about gRPC: the server hands them a write function and these hooks.
import type { FleetSnapshot } from '../cache/fleet-snapshot.js';
import type { Node__Output } from '../generated/envoy/config/core/v3/Node.js';
import type { Logger } from '../../../observability/src/index.js';
import { RESOURCE_TYPES, TYPE_URL_PREFIX } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import type { NackEvent, NackResolvedEvent } from './nack.js';
import type { PushThrottle } from './push-throttle.js';
import type { SharedResponses } from './shared-responses.js';
import { boundText } from './bounded-text.js';
import { DEFAULT_STREAM_LIMITS, MAX_USER_AGENT_CHARS } from './stream-limits.js';
import type { StreamLimits } from './stream-limits.js';

const KIND_BY_TYPE_URL = new Map<string, ResourceKind>(
  (Object.entries(RESOURCE_TYPES) as [ResourceKind, string][]).map(([kind, name]) => [TYPE_URL_PREFIX + name, kind]),
);

/** The resource kind a type URL names, if Portico serves it. */
export function kindOfTypeUrl(typeUrl: string): ResourceKind | undefined {
  return KIND_BY_TYPE_URL.get(typeUrl);
}

export interface NodeIdentity {
  id: string;
  /** node.cluster: the fleet whose configuration the client gets. */
  cluster: string;
  userAgent: string;
}

/**
 * Who the first request says the client is. An id or cluster over its limit is refused, naming
 * the field: both end up in logs, metric labels and bookkeeping keys, so they must stay small.
 */
export function nodeIdentity(node: Node__Output | undefined | null, limits: StreamLimits = DEFAULT_STREAM_LIMITS): NodeIdentity {
  const id = node?.id ?? '';
  const cluster = node?.cluster ?? '';
  if (id.length > limits.maxNodeIdChars) {
    throw new ProtocolError(`node.id is ${id.length} characters long; at most ${limits.maxNodeIdChars} are accepted`);
  }
  if (cluster.length > limits.maxClusterChars) {
    throw new ProtocolError(`node.cluster is ${cluster.length} characters long; at most ${limits.maxClusterChars} are accepted (it names an IngressClass)`);
  }
  const userAgent = [node?.user_agent_name, node?.user_agent_version].filter(Boolean).join('/');
  return { id, cluster, userAgent: boundText(userAgent, MAX_USER_AGENT_CHARS) };
}

/** What hooks need to know about a stream, whichever protocol variant it speaks. */
export interface StreamHandle {
  readonly streamId: number;
  readonly protocol: 'sotw' | 'delta';
  readonly node?: NodeIdentity;
  readonly fleet: string | undefined;
}

export interface StreamHooks {
  /** The first request named the node; the stream now belongs to a fleet. */
  identified(stream: StreamHandle): void;
  responded(stream: StreamHandle, kind: ResourceKind, bytes: number): void;
  /** `sentAt`: when the acknowledged response was built and handed to the write (Date.now()). */
  acked(stream: StreamHandle, kind: ResourceKind, version: string, sentAt: number): void;
  nacked(event: NackEvent): void;
  nackResolved(event: NackResolvedEvent): void;
  staleNonce(stream: StreamHandle, kind: ResourceKind): void;
  /**
   * Work the stream did on its own, not for a request (a configuration change, looked at in a
   * microtask), threw: a bug. The host ends that stream; the others go on.
   */
  failed(stream: StreamHandle, error: unknown): void;
}

export interface StreamEnvironment {
  snapshotOf(fleet: string): FleetSnapshot;
  throttle: PushThrottle;
  hooks: StreamHooks;
  logger: Logger;
  controlPlaneId?: string;
  /** Responses encoded once for every stream in the same position; each stream encodes its own when absent. */
  responses?: SharedResponses;
  /** How long LDS/RDS wait for a Cluster response to be answered before going out anyway. */
  clusterAckWaitMs: number;
  /** What one stream may make the server hold; DEFAULT_STREAM_LIMITS when absent. */
  limits?: StreamLimits;
}

/** Writes one encoded response; `done` fires once the transport took it. */
export type WriteResponse = (bytes: Buffer, done: () => void) => void;

/**
 * A request the server will not serve; the stream ends with a status. `invalid-argument`: the
 * request is malformed (INVALID_ARGUMENT); `resource-exhausted`: it is well-formed but asks for
 * more than a limit allows (RESOURCE_EXHAUSTED).
 */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly kind: 'invalid-argument' | 'resource-exhausted' = 'invalid-argument',
  ) {
    super(message);
  }
}

/** How many names a status lists; the count says how many there are. */
export const STATUS_NAMES_SHOWN = 100;

export interface TypeStatus {
  /** Up to STATUS_NAMES_SHOWN subscribed names (sorted when all fit; "*" first for wildcard). */
  subscribed: string[];
  /** Names subscribed in all (not counting "*"). */
  subscribedCount: number;
  /** version_info of the first request of this type on the stream: what the client already had. */
  initialVersion: string;
  /** Delta: how many initial_resource_versions the client reported when it (re)connected. */
  initialResourceVersions?: number;
  /** SotW: version_info sent; Delta: system_version_info (the fleet's type version) sent. */
  sentVersion?: string;
  ackedVersion?: string;
  nackCount: number;
  /** The latest NACK: its message bounded (maxErrorDetailChars), up to STATUS_NAMES_SHOWN of the resources it rejected. */
  lastNack?: { nonce: string; time: string; message: string; resources: string[]; resourceCount: number };
}

export interface StreamStatus {
  streamId: number;
  protocol: StreamHandle['protocol'];
  nodeId: string;
  fleet: string;
  userAgent: string;
  connectedAt: string;
  types: Record<string, TypeStatus>;
}
