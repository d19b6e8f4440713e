// What every ADS stream (state of the world or Delta) is given by the server, and what it reports
// back. Streams know nothing about gRPC: the server hands them a write function and these hooks.
import type { FleetSnapshot } from '../cache/fleet-snapshot.js';
import type { Node__Output } from '../generated/envoy/config/core/v3/Node.js';
import type { Logger } from '../log/logger.js';
import { RESOURCE_TYPES, TYPE_URL_PREFIX } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import type { NackEvent, NackResolvedEvent } from './nack.js';
import type { PushThrottle } from './push-throttle.js';

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

export function nodeIdentity(node: Node__Output | undefined | null): NodeIdentity {
  return {
    id: node?.id ?? '',
    cluster: node?.cluster ?? '',
    userAgent: [node?.user_agent_name, node?.user_agent_version].filter(Boolean).join('/'),
  };
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
  acked(stream: StreamHandle, kind: ResourceKind, version: string): void;
  nacked(event: NackEvent): void;
  nackResolved(event: NackResolvedEvent): void;
  staleNonce(stream: StreamHandle, kind: ResourceKind): void;
}

export interface StreamEnvironment {
  snapshotOf(fleet: string): FleetSnapshot;
  throttle: PushThrottle;
  hooks: StreamHooks;
  logger: Logger;
  controlPlaneId?: string;
  /** How long LDS/RDS wait for a Cluster response to be answered before going out anyway. */
  clusterAckWaitMs: number;
}

/** Writes one encoded response; `done` fires once the transport took it. */
export type WriteResponse = (bytes: Buffer, done: () => void) => void;

export class ProtocolError extends Error {}

export interface TypeStatus {
  subscribed: string[];
  /** version_info of the first request of this type on the stream: what the client already had. */
  initialVersion: string;
  /** Delta: how many initial_resource_versions the client reported when it (re)connected. */
  initialResourceVersions?: number;
  /** SotW: version_info sent; Delta: system_version_info (the fleet's type version) sent. */
  sentVersion?: string;
  ackedVersion?: string;
  nackCount: number;
  lastNack?: { nonce: string; time: string; message: string; resources: string[] };
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
