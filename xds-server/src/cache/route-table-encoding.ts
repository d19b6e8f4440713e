// A RouteConfiguration encoded host by host. A fleet's route table holds every host (5 MB at
// 10,000 Ingresses) and one edited Ingress changes one virtual host of it, so re-encoding the whole
// table per publish was most of the publish. Each virtual host's `virtual_hosts` field is kept
// from the previous publish when its content is unchanged, and the table is the concatenation of
// its parts. The bytes are exactly protobufjs's own encoding: it writes fields in declaration
// order, and RouteConfiguration declares `name` first and `virtual_hosts` second (checked by the
// tests).
// Its version is not a hash of those bytes (5 MB hashed per publish) but a hash of each piece's
// digest, head and tail included, each part's digest computed once when the part is encoded: as
// much a content hash (equal bytes in equal pieces, equal version; the pieces of a table are
// determined by its content) for a pass over 32 bytes per host.
import { RESOURCE_TYPES, encodeMessage } from '../protos/envoy-protos.js';
import { validateMessage } from '../protos/validate.js';
import type { ValidationViolation } from '../protos/validate.js';
import { lengthDelimitedField, ownedCopy } from '../protos/wire-format.js';
import { createHash } from 'node:crypto';
import { InvalidResourceError } from './invalid-resource.js';
import type { RouteConfiguration, VirtualHost } from '../resources.js';
import { sameContent } from './same-content.js';
import { VERSION_HEX_LENGTH } from './content-version.js';

/** RouteConfiguration.virtual_hosts */
const VIRTUAL_HOSTS_FIELD = 2;

interface HostPart {
  readonly source: VirtualHost;
  /** The encoded `virtual_hosts` field, tag and length included. */
  readonly field: Buffer;
  /** SHA-256 of `field`. */
  readonly digest: Buffer;
}

/** A table's encoding as the pieces that, concatenated, are its bytes. */
export interface EncodedTable {
  /** Its hosts' parts in memory of their own (ownedCopy); its own fields' not: they are small. */
  readonly pieces: readonly Uint8Array[];
  /** A content hash of the pieces (see the top of this file), as contentVersion writes one. */
  readonly version: string;
}

// Keyed by the table object a publish encoded, so parts live exactly as long as that table is the
// one a later publish compares with (EncodedResource.source).
const partsOfTable = new WeakMap<object, { parts: readonly HostPart[]; digests: Buffer }>();

/**
 * A virtual host that breaks Envoy's validation rules. Its last good version stays in the table
 * when it had one (`kept`), as a refused resource's does; otherwise it is left out.
 */
export interface RejectedHost {
  host: string;
  violations: ValidationViolation[];
  kept: boolean;
}

/**
 * Encodes `table`, reusing the virtual hosts of `previousSource` (the last encoded table of this
 * name) whose content is unchanged. Every other host is checked against Envoy's validation rules
 * first, host by host, so one bad host keeps its last good version (or is left out when it never
 * had one) and is given to `reject`, rather than the whole table being refused; an unchanged host
 * is never checked twice. The table's own fields are checked too; a violation there throws.
 */
export function encodeRouteTable(table: RouteConfiguration, previousSource?: object, reject: (rejected: RejectedHost) => void = () => undefined): EncodedTable {
  const { name, virtual_hosts: hosts, ...rest } = table;
  const ownViolations = validateMessage(RESOURCE_TYPES.routeConfiguration, rest);
  if (ownViolations.length > 0) throw new InvalidResourceError(ownViolations);
  const previous = previousSource && partsOfTable.get(previousSource);
  const previousParts = previous?.parts ?? [];
  // By name, built only when a host is not where it was: usually all but a few hosts are the very
  // objects of the previous table, in the same places.
  let byName: Map<string, HostPart> | undefined;
  const list = hosts ?? [];
  const parts: HostPart[] = [];
  const pieces: Uint8Array[] = [encodeMessage(RESOURCE_TYPES.routeConfiguration, name === undefined ? {} : { name })];
  // The version hashes every piece's digest, laid end to end and hashed in one call (one call per
  // host costs more than the hashing).
  // A part in the place it had keeps its digest where the previous table's digests put it.
  // Memory of its own (kept while the table is served): a small one from the pool would pin a slab.
  const digests = Buffer.allocUnsafeSlow((list.length + 2) * DIGEST_LENGTH);
  previous?.digests.copy(digests, 0, 0, Math.min(previous.digests.length, digests.length));
  digests.set(sha256(pieces[0] as Uint8Array), 0);
  for (let index = 0; index < list.length; index++) {
    const host = list[index] as VirtualHost;
    let before = previousParts[index];
    // In its place (the same object, or the same host edited), else looked up by name.
    if (before?.source !== host && before?.source.name !== host.name) {
      byName ??= new Map(previousParts.map((part) => [part.source.name ?? '', part]));
      before = byName.get(host.name ?? '');
    }
    const part = partFor(host, before, reject);
    if (!part) continue;
    if (part !== previousParts[index] || parts.length !== index) digests.set(part.digest, (parts.length + 1) * DIGEST_LENGTH);
    parts.push(part);
    pieces.push(part.field);
  }
  const tail = encodeMessage(RESOURCE_TYPES.routeConfiguration, rest);
  pieces.push(tail);
  digests.set(sha256(tail), (parts.length + 1) * DIGEST_LENGTH);
  const used = digests.subarray(0, (parts.length + 2) * DIGEST_LENGTH);
  partsOfTable.set(table, { parts, digests: used });
  const version = sha256(used).toString('hex').slice(0, VERSION_HEX_LENGTH);
  return { pieces, version };
}

/** A host's part: `before` when it is, or holds the same content; else encoded after its check (undefined: refused, never served). */
function partFor(host: VirtualHost, before: HostPart | undefined, reject: (rejected: RejectedHost) => void): HostPart | undefined {
  if (before?.source === host) return before;
  // Equal content in another object: the bytes are kept, and the part remembers the object it
  // was handed this time, so the next publish handing it over again does not compare again.
  if (before && sameContent(before.source, host)) return { ...before, source: host };
  const violations = validateMessage(RESOURCE_TYPES.virtualHost, host);
  if (violations.length > 0) {
    reject({ host: host.name ?? '', violations, kept: before !== undefined });
    return before;
  }
  // Kept as long as the table is served: memory of its own, not a slice pinning a pool slab.
  const field = ownedCopy(lengthDelimitedField(VIRTUAL_HOSTS_FIELD, encodeMessage(RESOURCE_TYPES.virtualHost, host)));
  return { source: host, field, digest: sha256(field) };
}

const DIGEST_LENGTH = 32;


function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

/** The encoded `virtual_hosts` fields of a table this module encoded (tests check reuse with it). */
export function encodedHostFields(table: object): readonly Buffer[] | undefined {
  return partsOfTable.get(table)?.parts.map((part) => part.field);
}
