// What a fleet, or one node's open streams, receive, as proto3 JSON: /debug/config_dump on the
// health port. Without it, seeing what an Envoy was sent took a hand-written xDS client. Every
// resource is decoded from the very bytes the streams are sent (so route tables show only the
// virtual hosts that passed Envoy's rules), printed with '@type' like Envoy's own config_dump,
// and Secrets go through redactSecret: private keys, passwords and session ticket keys never
// leave the xDS stream. The caller writes the result bounded (bounded-json.ts, CONFIG_DUMP_BOUNDS).
import type { FleetSnapshot, TypeSnapshot } from '../cache/fleet-snapshot.js';
import type { EncodedResource } from '../cache/encoded-resource.js';
import { RESOURCE_TYPES, TYPE_URL_PREFIX, decodeMessage } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { toProto3Json } from '../protos/proto-json.js';
import type { JsonValue } from '../protos/proto-json.js';
import { redactSecret } from '../protos/redact-secret.js';
import type { Secret } from '../resources.js';
import { PUSH_ORDER } from '../protocol/push-order.js';
import type { StreamStatus } from '../protocol/stream-environment.js';

export interface TypeDump {
  version: string;
  resources: JsonValue[];
  /** Resources left out because the dump reached its size budget. */
  omitted?: number;
}

/**
 * What one dump decodes at most, in encoded bytes: decoding and converting is the costly part
 * (seconds for a 10,000-Ingress fleet), so the budget applies before any of it, not only to the
 * output. Proto3 JSON is larger than the encoding, so this stays within the output bound too.
 */
export const CONFIG_DUMP_BUDGET_BYTES = 4 * 1024 * 1024;

/** Shared by every type of one dump. */
interface Budget {
  left: number;
}

export interface StreamDump {
  streamId: number;
  protocol: StreamStatus['protocol'];
  /** Per type URL: what the stream subscribed to and was sent, and the resources it receives now. */
  types: Record<string, TypeDump & { sentVersion?: string; ackedVersion?: string; subscribed: string[]; note?: string }>;
}

export interface ConfigDump {
  fleet: string;
  /** What SotW clients receive (Envoy's wildcard set, plus what gRPC clients ask for by name). */
  sotw?: Record<string, TypeDump>;
  /** Types Delta clients receive differently (VHDS route tables and VirtualHosts), when any. */
  delta?: Record<string, TypeDump>;
  node?: string;
  streams?: StreamDump[];
}

/**
 * The dump of `fleet` (undefined when it is neither published nor used by a stream), or of the
 * open streams of `node` in it (undefined when it has none). `streams` are every open stream.
 */
export function configDump(fleet: string, snapshot: FleetSnapshot | undefined, streams: readonly StreamStatus[], node?: string, budgetBytes = CONFIG_DUMP_BUDGET_BYTES): ConfigDump | undefined {
  const budget: Budget = { left: budgetBytes };
  const ofFleet = streams.filter((s) => s.fleet === fleet);
  if (!snapshot && ofFleet.length === 0) return undefined;
  if (node === undefined) {
    if (!snapshot) return { fleet, sotw: {} };
    const sotw: Record<string, TypeDump> = {};
    const delta: Record<string, TypeDump> = {};
    for (const kind of PUSH_ORDER) {
      const type = snapshot.types[kind];
      if (type.resources.size > 0) sotw[type.typeUrl] = typeDump(type, [...type.resources.values()], budget);
      const deltaType = snapshot.deltaTypes[kind];
      if (deltaType !== type && deltaType.resources.size > 0) delta[deltaType.typeUrl] = typeDump(deltaType, [...deltaType.resources.values()], budget);
    }
    return { fleet, sotw, ...(Object.keys(delta).length > 0 ? { delta } : {}) };
  }
  const ofNode = ofFleet.filter((s) => s.nodeId === node);
  if (ofNode.length === 0) return undefined;
  return { fleet, node, streams: ofNode.map((stream) => streamDump(stream, snapshot, budget)) };
}

function streamDump(stream: StreamStatus, snapshot: FleetSnapshot | undefined, budget: Budget): StreamDump {
  const types: StreamDump['types'] = {};
  for (const [typeUrl, status] of Object.entries(stream.types)) {
    const kind = kindOf(typeUrl);
    const type = kind && snapshot ? (stream.protocol === 'delta' ? snapshot.deltaTypes : snapshot.types)[kind] : undefined;
    const wildcard = status.subscribed[0] === '*';
    const named = status.subscribed.filter((name) => name !== '*');
    // The status lists a bounded number of names: with more, the whole type is shown, and said so.
    const complete = named.length >= status.subscribedCount;
    const resources = !type
      ? []
      : [...type.resources.values()].filter((r) => !complete || named.includes(r.name) || (wildcard && r.inWildcard));
    types[typeUrl] = {
      ...typeDump(type, resources, budget),
      subscribed: status.subscribed,
      ...(status.sentVersion !== undefined ? { sentVersion: status.sentVersion } : {}),
      ...(status.ackedVersion !== undefined ? { ackedVersion: status.ackedVersion } : {}),
      ...(complete ? {} : { note: `subscribed to ${status.subscribedCount} names, more than listed: every resource of the type is shown` }),
    };
  }
  return { streamId: stream.streamId, protocol: stream.protocol, types };
}

function typeDump(type: TypeSnapshot | undefined, resources: readonly EncodedResource[], budget: Budget): TypeDump {
  const sorted = [...resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const shown: JsonValue[] = [];
  for (const resource of sorted) {
    // Measured on the pieces: a large route table is joined only if it is shown.
    const size = resource.responseParts.reduce((sum, part) => sum + part.length, 0);
    if (budget.left < size) break;
    budget.left -= size;
    shown.push(resourceJson(resource));
  }
  const omitted = sorted.length - shown.length;
  return { version: type?.version ?? '', resources: shown, ...(omitted > 0 ? { omitted } : {}) };
}

/** One resource as proto3 JSON with '@type' first, decoded from the bytes that are sent; Secrets redacted. */
export function resourceJson(resource: EncodedResource): JsonValue {
  const fullName = RESOURCE_TYPES[resource.kind];
  let decoded = decodeMessage(fullName, resource.bytes);
  if (resource.kind === 'secret') decoded = redactSecret(decoded as Secret) as Record<string, unknown>;
  const json = toProto3Json(fullName, decoded);
  return { '@type': TYPE_URL_PREFIX + fullName, ...(json !== null && typeof json === 'object' && !Array.isArray(json) ? json : { value: json }) };
}

function kindOf(typeUrl: string): ResourceKind | undefined {
  return (Object.keys(RESOURCE_TYPES) as ResourceKind[]).find((kind) => TYPE_URL_PREFIX + RESOURCE_TYPES[kind] === typeUrl);
}
