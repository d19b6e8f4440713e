// Responses encoded once for every stream in the same position. A thousand Envoys of one fleet,
// in sync, are sent the same bytes on every change: the same version, the same resources (by
// name and content version), the same removals. Only the nonce differed, and it made each stream
// assemble and keep its own copy of a message that can be most of a megabyte (a whole route
// table, SotW). The nonce only has to tell one stream's responses apart, so a shared message
// carries a nonce of its own, unique in the process (`s<n>`, never a stream counter's digits);
// a stream takes a shared message only if it is numbered above the last one it took for that
// type, so no stream ever sees a nonce twice (a late answer to an earlier response must not pass
// for an answer to a later one); otherwise it gets a private copy (XdsStream.message). grpc-js
// still frames each write into a buffer of its own; what goes is the per-stream assembly, its
// garbage, and the collections it caused.
//
// Bounded: the most recently used messages up to `maxBytes`, so what streams in other positions
// (a reconnect, an odd subscription) are sent cannot grow it.
import { ownedCopy } from '../protos/wire-format.js';

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
  /**
   * The nonce's number: messages are numbered in the order they are built, so a stream that takes
   * only messages numbered above the last it took never sees a nonce twice (XdsStream.message).
   */
  serial: number;
  bytes: Buffer;
}

/** A message over a quarter of the cache is sent but not kept: it would push out everything else. */
const SHARE_FRACTION = 4;

export class SharedResponses {
  private readonly entries = new Map<string, SharedResponse & { cost: number }>();
  private bytes = 0;
  private nonceCounter = 0;
  /** Messages handed out again, and messages built (for tests and /debug). */
  readonly counters = { reused: 0, built: 0 };

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  /**
   * The message for `selection` as `protocol` encodes it: the one built before for the same
   * content, or built now with a fresh nonce (and kept, unless over a quarter of the cache).
   */
  get(protocol: string, selection: ResponseContent, controlPlaneId: string | undefined, encode: (nonce: string) => Buffer): SharedResponse {
    const key = keyOf(protocol, selection, controlPlaneId);
    const found = this.entries.get(key);
    if (found) {
      // Most recently used last.
      this.entries.delete(key);
      this.entries.set(key, found);
      this.counters.reused++;
      return found;
    }
    const serial = ++this.nonceCounter;
    const nonce = `s${serial}`;
    const encoded = encode(nonce);
    if (encoded.length > this.maxBytes / SHARE_FRACTION) return { nonce, serial, bytes: encoded };
    this.counters.built++;
    // Kept: memory of its own, not a slice pinning an 8 KiB pool slab (most messages are small).
    // The key (every name and version) is held too, and counted (two bytes a character).
    const made = { nonce, serial, bytes: ownedCopy(encoded), cost: encoded.length + 2 * key.length };
    this.entries.set(key, made);
    this.bytes += made.cost;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= entry.cost;
    }
    return made;
  }

  /** What is held for reuse: messages' bytes and their keys'. */
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
  // Every part is written with its length before it, so no text can pass for a boundary (a removed
  // name is the client's own subscription and may hold any character): ['a', 'b'] and ['a\u0001b']
  // stay apart without escaping anything. Built for every stream that responds (a thousand a
  // change): JSON.stringify of the same parts cost about three times as much.
  let key = `${part(protocol)}${part(selection.snapshot.fleet)}${part(controlPlaneId ?? '')}${part(selection.type.typeUrl)}${part(selection.version)}`;
  if (selection.wildcardOnly) key += 'w';
  else for (const resource of selection.resources) key += `r${part(resource.name)}${part(resource.version)}`;
  for (const name of selection.removed) key += `x${part(name)}`;
  return key;
}

function part(text: string): string {
  return `${text.length}:${text}`;
}
