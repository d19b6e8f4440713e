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
  /** error_detail.message, cut to the stream's maxErrorDetailChars with a marker saying how long it was. */
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
 * How much of an error message is searched for resource indexes and names. Looking for each of
 * 8,000 names in a 3.9 MB message would take seconds per NACK; real messages are far shorter.
 */
export const NACK_SCAN_CHARS = 16 * 1024;

/**
 * Which resources of a rejected response the error is about. Uses resource indexes when the client
 * reports them (gRPC), else names that appear in the message (Envoy quotes them), else all.
 */
export function rejectedResourceNames(fullMessage: string, responseResources: readonly string[]): string[] {
  const message = fullMessage.length > NACK_SCAN_CHARS ? fullMessage.slice(0, NACK_SCAN_CHARS) : fullMessage;
  const byIndex = new Set<string>();
  for (const match of message.matchAll(RESOURCE_INDEX)) {
    const name = responseResources[Number(match[1])];
    if (name !== undefined) byIndex.add(name);
  }
  if (byIndex.size > 0) return [...byIndex].sort();
  const mentioned = responseResources.filter((name) => name !== '' && message.includes(name));
  return mentioned.length > 0 ? [...mentioned].sort() : [...responseResources].sort();
}
