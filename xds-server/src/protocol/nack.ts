// What the server learns when a client rejects configuration, in a form the operator can turn
// into Events and Ingress status without knowing anything about xDS streams.
import type { ResourceKind } from '../protos/envoy-protos.js';

/** Who reported what, and when: the start of every NACK report and of its resolution. */
export interface StreamReport {
  /** ISO time the report arrived. */
  time: string;
  nodeId: string;
  fleet: string;
  streamId: number;
  kind: ResourceKind;
  typeUrl: string;
}

export interface NackEvent extends StreamReport {
  /** Nonce of the rejected response. */
  nonce: string;
  /** The type version the rejected response carried. */
  rejectedVersion: string;
  /** The version the client says it is using (gRPC clients may advance it on partial acceptance). */
  clientVersion: string;
  /** Every resource in the rejected response. */
  responseResources: string[];
  /** The resources the error names; all of `responseResources` when it names none. */
  rejectedResources: string[];
  errorCode: number;
  errorMessage: string;
  /** Objects (e.g. "Ingress default/web") that produced the rejected resources. */
  origins: string[];
}

/** A node accepted a type it had rejected before. */
export interface NackResolvedEvent extends StreamReport {
  version: string;
  /** The NACK this resolves. */
  previous: NackEvent;
}

// grpc-js-xds (and gRPC in other languages) report "resource index N: reason" per bad resource.
const RESOURCE_INDEX = /resource index (\d+)/g;

/**
 * Which resources of a rejected response the error is about. Uses resource indexes when the client
 * reports them (gRPC), else names that appear in the message (Envoy quotes them), else all.
 */
export function rejectedResourceNames(message: string, responseResources: readonly string[]): string[] {
  const byIndex = new Set<string>();
  for (const match of message.matchAll(RESOURCE_INDEX)) {
    const name = responseResources[Number(match[1])];
    if (name !== undefined) byIndex.add(name);
  }
  if (byIndex.size > 0) return [...byIndex].sort();
  const mentioned = responseResources.filter((name) => name !== '' && message.includes(name));
  return mentioned.length > 0 ? [...mentioned].sort() : [...responseResources].sort();
}
