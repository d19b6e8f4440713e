// Responses encoded once for every stream in the same position. A thousand Envoys of one fleet,
// in sync, are sent the same bytes on every change: the same version, the same resources (by
// name and content version), the same removals. Only the nonce differed, and it made each stream
// assemble and keep its own copy of a message that can be most of a megabyte (a whole route
// table, SotW). The nonce only has to tell one stream's responses apart, so a shared message
// carries a nonce of its own, unique in the process (`s<n>`, never a stream counter's digits);
// a stream that would see the same shared message twice while the first is unanswered gets a
// private copy instead (XdsStream.respond). grpc-js still frames each write into a buffer of its
// own; what goes is the per-stream assembly, its garbage, and the collections it caused.
//
// Bounded: the most recently used messages up to `maxBytes`, so what streams in other positions
// (a reconnect, an odd subscription) are sent cannot grow it.

/**
 * What a response's bytes are made of, apart from the nonce (a Selection, seen only this far:
 * the stream's environment holds this cache, so it must not depend on the protocols).
 */
export interface ResponseContent {
  type: { typeUrl: string };
  snapshot: { fleet: string };
  version: string;
  resources: readonly { name: string; version: string }[];
  removed: readonly string[];
  wildcardOnly?: boolean;
}

export interface SharedResponse {
  nonce: string;
  bytes: Buffer;
}

/** A message over a quarter of the cache is sent but not kept: it would push out everything else. */
const SHARE_FRACTION = 4;

export class SharedResponses {
  private readonly entries = new Map<string, SharedResponse>();
  private bytes = 0;
  private nonceCounter = 0;
  /** Messages handed out again, and messages built (for tests and /debug). */
  readonly counters = { reused: 0, built: 0 };

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /**
   * The message for `selection` as `protocol` encodes it: the one built before for the same
   * content, or built now with a fresh nonce. Undefined when too large to keep (encode privately).
   */
  get(protocol: string, selection: ResponseContent, controlPlaneId: string | undefined, encode: (nonce: string) => Buffer): SharedResponse | undefined {
    const key = keyOf(protocol, selection, controlPlaneId);
    const found = this.entries.get(key);
    if (found) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, found);
      this.counters.reused++;
      return found;
    }
    const nonce = `s${++this.nonceCounter}`;
    const bytes = encode(nonce);
    if (bytes.length > this.maxBytes / SHARE_FRACTION) return { nonce, bytes };
    this.counters.built++;
    const made = { nonce, bytes };
    this.entries.set(key, made);
    this.bytes += bytes.length;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes.length;
    }
    return made;
  }

  /** Bytes held for reuse. */
  get heldBytes(): number {
    return this.bytes;
  }
}

/**
 * Everything a response's bytes depend on but the nonce. Resource versions are content hashes,
 * so name and version identify a resource's bytes whatever snapshot it came from. The fleet is
 * part of the key too: streams of different fleets never share a message, so no hash collision,
 * however unlikely, could hand one fleet's bytes to another's clients.
 */
function keyOf(protocol: string, selection: ResponseContent, controlPlaneId: string | undefined): string {
  const resources = selection.wildcardOnly ? 'wildcard' : selection.resources.map((r) => `${r.name}\u0000${r.version}`).join('\u0001');
  return [protocol, selection.snapshot.fleet, controlPlaneId ?? '', selection.type.typeUrl, selection.version, resources, selection.removed.join('\u0001')].join('\u0002');
}
