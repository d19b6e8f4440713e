// Versions are content hashes, never counters: the same configuration gets the same versions in
// every server process and every replica, so a restart or a reconnect to another replica causes
// no configuration churn on clients, and a per-resource version is ready for incremental xDS.
import { createHash } from 'node:crypto';

/** 64 bits of SHA-256 as hex: collisions are out of reach for a fleet's resource count. */
export const VERSION_HEX_LENGTH = 16;

export function contentVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, VERSION_HEX_LENGTH);
}

// A type's version (and a SotW client's view version) is derived from the SUM, modulo 2^128, of
// one digest per resource: the first 128 bits of SHA-256(name \0 version). Why that is safe:
// - Equal content gives equal versions: a sum does not depend on order, nor on how the set was
//   reached (a full publish sums every digest; a per-resource update subtracts the digests of
//   what it replaces or removes and adds those of what it brings). Both paths therefore give
//   the very same version, which clients compare across reconnects and replicas.
// - Different content gives a different version except with negligible probability: the
//   digests of distinct (name, version) pairs behave as independent uniform 128-bit values, and
//   names are unique within a type, so two different sets have equal sums with probability
//   2^-128 (the name is in the digest, so the same version under another name counts as
//   different). A sum is used rather than XOR because XOR is linear over GF(2): a few hundred
//   crafted entries would give a colliding subset by Gaussian elimination. For a sum mod 2^128
//   the best known attack (Wagner's generalised birthday) needs vast numbers of chosen
//   resources, and whoever could choose them controls only their own resources anyway.
// - What clients see is SHA-256 of the 16-byte sum, cut to 64 bits like every other version.
// A version therefore changes exactly when content changes, and costs O(changed) to update.

/** 128 bits as four 32-bit lanes, least significant first; each lane in [0, 2^32). */
export type Digest = readonly [number, number, number, number];

const LANE = 2 ** 32;
export const ZERO_DIGEST: Digest = [0, 0, 0, 0];

/** The digest of one resource, computed once when it is encoded (EncodedResource.digest). */
export function resourceDigest(name: string, version: string): Digest {
  const hash = createHash('sha256').update(`${name}\0${version}`).digest();
  return [hash.readUInt32BE(12), hash.readUInt32BE(8), hash.readUInt32BE(4), hash.readUInt32BE(0)];
}

/**
 * Sum (mod 2^128) of `base`, plus every digest of `added`, minus every digest of `subtracted`.
 * Lanes are summed as plain numbers (exact below 2^53, so a million digests at a time is safe)
 * and carried once at the end.
 */
export function sumDigests(base: Digest, added: Iterable<{ readonly digest: Digest }>, subtracted: Iterable<{ readonly digest: Digest }> = []): Digest {
  let [a, b, c, d] = base;
  let count = 0;
  const carry = (): void => {
    // Math.floor handles negative lanes (subtractions) as borrows; the top carry is dropped (mod 2^128).
    let k = Math.floor(a / LANE);
    a -= k * LANE;
    b += k;
    k = Math.floor(b / LANE);
    b -= k * LANE;
    c += k;
    k = Math.floor(c / LANE);
    c -= k * LANE;
    d += k;
    d -= Math.floor(d / LANE) * LANE;
  };
  for (const { digest } of added) {
    a += digest[0];
    b += digest[1];
    c += digest[2];
    d += digest[3];
    if (++count === 1 << 20) {
      count = 0;
      carry();
    }
  }
  for (const { digest } of subtracted) {
    a -= digest[0];
    b -= digest[1];
    c -= digest[2];
    d -= digest[3];
    if (++count === 1 << 20) {
      count = 0;
      carry();
    }
  }
  carry();
  return [a, b, c, d];
}

/** The version clients see for a sum of digests. */
export function versionOfSum(sum: Digest): string {
  const bytes = Buffer.alloc(16);
  bytes.writeUInt32BE(sum[3], 0);
  bytes.writeUInt32BE(sum[2], 4);
  bytes.writeUInt32BE(sum[1], 8);
  bytes.writeUInt32BE(sum[0], 12);
  return createHash('sha256').update(bytes).digest('hex').slice(0, VERSION_HEX_LENGTH);
}

/** The version of a set of encoded resources (a type, or what one client subscribes to). */
export function versionOfResources(resources: Iterable<{ readonly digest: Digest }>): string {
  return versionOfSum(sumDigests(ZERO_DIGEST, resources));
}

/**
 * The version of a whole resource type from name → version pairs, hashing each pair: the same
 * value versionOfResources gives for the encoded resources (which carry their digest already).
 */
export function typeVersion(versionsByName: ReadonlyMap<string, string>): string {
  return versionOfSum(sumDigests(ZERO_DIGEST, [...versionsByName].map(([name, version]) => ({ digest: resourceDigest(name, version) }))));
}
