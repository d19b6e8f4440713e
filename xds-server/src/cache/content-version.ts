// Versions are content hashes, never counters: the same configuration gets the same versions in
// every server process and every replica, so a restart or a reconnect to another replica causes
// no configuration churn on clients, and a per-resource version is ready for incremental xDS.
import { createHash } from 'node:crypto';

/** 64 bits of SHA-256 as hex: collisions are out of reach for a fleet's resource count. */
const VERSION_HEX_LENGTH = 16;

export function contentVersion(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, VERSION_HEX_LENGTH);
}

/**
 * The version of a whole resource type: a hash of the sorted name → version pairs, so it changes
 * exactly when some resource of the type is added, removed or changed.
 */
export function typeVersion(versionsByName: ReadonlyMap<string, string>): string {
  return typeVersionInOrder([...versionsByName.keys()].sort(), (name) => versionsByName.get(name) ?? '');
}

/**
 * typeVersion of names already in code-unit order (a TypeSnapshot's), without sorting them again:
 * one hash over one string, which is what hashing the pieces one by one gives.
 */
export function typeVersionInOrder(names: Iterable<string>, versionOf: (name: string) => string): string {
  let text = '';
  for (const name of names) text += `${name}\0${versionOf(name)}\n`;
  return createHash('sha256').update(text).digest('hex').slice(0, VERSION_HEX_LENGTH);
}
