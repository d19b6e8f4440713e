// A resource as it travels: checked against Envoy's validation rules and encoded to protobuf bytes
// once, wrapped once in the Any field of a DiscoveryResponse, and shared by every stream that
// receives it.
import { RESOURCE_TYPES, encodeMessage, typeUrlOf } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { anyField, anyFieldHeader, ownedCopy } from '../protos/wire-format.js';
import { contentVersion, resourceDigest } from './content-version.js';
import type { Digest } from './content-version.js';
import { validateMessage } from '../protos/validate.js';
import { InvalidResourceError } from './invalid-resource.js';
import { encodeRouteTable } from './route-table-encoding.js';
import type { RejectedHost } from './route-table-encoding.js';
import { sameContent } from './same-content.js';

/** DiscoveryResponse.resources is field 2. */
const RESOURCES_FIELD = 2;

/** A route table at least this large is kept in pieces (see EncodedResource.responseParts). */
const PIECES_FROM_BYTES = 64 * 1024;

export interface EncodedResource {
  readonly kind: ResourceKind;
  readonly name: string;
  /** Content hash of `bytes`. */
  readonly version: string;
  /** resourceDigest(name, version): this resource's share of its type's version (content-version.ts). */
  readonly digest: Digest;
  /** The encoded resource message (the Any's value). */
  readonly bytes: Buffer;
  /**
   * The `resources` field of a DiscoveryResponse holding this resource, as pieces to concatenate:
   * one buffer, or for a route table a header and the table's pieces (its hosts' parts, which the
   * next publish's table shares), so a one-host edit does not copy a 5 MB table into one buffer
   * that a response then copies again.
   */
  readonly responseParts: readonly Buffer[];
  /**
   * Whether wildcard subscribers (Envoy) receive it. Listeners with an api_listener exist for
   * proxyless gRPC clients, which ask for them by name; Envoy would log a rejection for each one.
   */
  readonly inWildcard: boolean;
  /** For EDS clusters: the ClusterLoadAssignment to re-send when the cluster changes. */
  readonly endpointsName?: string;
  /** What it was encoded from: a later publish with equal content reuses this without encoding. */
  readonly source: object;
  /** Route tables: the virtual hosts left out of `bytes` for breaking Envoy's rules. */
  readonly rejectedHosts?: readonly RejectedHost[];
}

/**
 * Objects found equal to an encoded resource's source: a later publish handing over the very same
 * object again is recognised without comparing (isEncodingOf), whichever equal object came first.
 */
const equalSources = new WeakMap<object, EncodedResource>();

/** True when `resource` is what `encoded` was made from, or was found equal to it. */
export function isEncodingOf(encoded: EncodedResource, resource: object): boolean {
  return encoded.source === resource || equalSources.get(resource) === encoded;
}

/**
 * Encodes one resource given in proto-loader object form. When `previous` has the same content,
 * it is returned as is, so unchanged resources keep sharing one buffer across publishes; equal
 * source objects are recognised without encoding at all.
 */
export function encodeResource(kind: ResourceKind, name: string, resource: object, previous?: EncodedResource, rejectHost?: (rejected: RejectedHost) => void): EncodedResource {
  const same = previous !== undefined && previous.kind === kind && previous.name === name;
  if (same && sameContent(previous.source, resource)) {
    equalSources.set(resource, previous);
    // Reused as it is, so reported as it is: a left-out host stays reported until it is fixed.
    for (const rejected of previous.rejectedHosts ?? []) rejectHost?.(rejected);
    return previous;
  }
  // Only what changed is checked: an unchanged resource passed when it was first encoded.
  const rejectedHosts: RejectedHost[] = [];
  const collect = (rejected: RejectedHost): void => {
    rejectedHosts.push(rejected);
    rejectHost?.(rejected);
  };
  const { pieces, version } = kind === 'routeConfiguration' ? encodeRouteTable(resource, same ? previous.source : undefined, collect) : encodeChecked(kind, resource);
  if (same && previous.version === version && rejectedHosts.length === 0 && (previous.rejectedHosts ?? []).length === 0) return previous;
  const endpointsName = kind === 'cluster' ? edsServiceName(name, resource) : undefined;
  const fields = {
    kind,
    name,
    version,
    digest: resourceDigest(name, version),
    inWildcard: !(kind === 'listener' && hasApiListener(resource)),
    ...(endpointsName === undefined ? {} : { endpointsName }),
    source: resource,
    ...(rejectedHosts.length > 0 ? { rejectedHosts } : {}),
  };
  // Small ones whole, in one buffer: pieces cost an object each, and only large tables gain.
  if (pieces.length === 1 || pieces.reduce((sum, piece) => sum + piece.length, 0) < PIECES_FROM_BYTES) {
    const value = pieces.length === 1 ? (pieces[0] as Uint8Array) : Buffer.concat(pieces);
    const field = anyField(RESOURCES_FIELD, typeUrlOf(kind), value);
    // The Any's value is the field's last bytes: one buffer holds both.
    return { ...fields, bytes: field.subarray(field.length - value.length), responseParts: [field] };
  }
  const valueLength = pieces.reduce((sum, piece) => sum + piece.length, 0);
  // A large route table's pieces: its hosts' parts own their memory already (encodeRouteTable).
  const kept = pieces.map((piece) => ownedCopy(Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.length)));
  return {
    ...fields,
    // Whole only for what needs it whole (a Delta client's copy, which is kept; /debug): joined
    // anew on every read, not kept here, or a second 5 MB copy would live as long as the table.
    get bytes(): Buffer {
      return Buffer.concat(kept, valueLength);
    },
    responseParts: [ownedCopy(anyFieldHeader(RESOURCES_FIELD, typeUrlOf(kind), valueLength)), ...kept],
  };
}

function encodeChecked(kind: ResourceKind, resource: object): { pieces: Uint8Array[]; version: string } {
  const violations = validateMessage(RESOURCE_TYPES[kind], resource);
  if (violations.length > 0) throw new InvalidResourceError(violations);
  const bytes = encodeMessage(RESOURCE_TYPES[kind], resource);
  return { pieces: [bytes], version: contentVersion(bytes) };
}

function edsServiceName(name: string, cluster: { type?: unknown; eds_cluster_config?: { service_name?: unknown } | null }): string | undefined {
  if (cluster.type !== 'EDS') return undefined;
  const serviceName = cluster.eds_cluster_config?.service_name;
  return typeof serviceName === 'string' && serviceName !== '' ? serviceName : name;
}

function hasApiListener(listener: { api_listener?: unknown }): boolean {
  return listener.api_listener !== undefined && listener.api_listener !== null;
}
