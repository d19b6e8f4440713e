// Subscribed names, shared by every stream that subscribed to the same names. A thousand Envoys
// of one fleet each subscribe to the ClusterLoadAssignment of every EDS cluster (20,000 names at
// 10,000 Ingresses): kept per stream, those sets (and the name strings each request decodes anew)
// were about 1.4 MiB per stream. A NameSet is immutable and interned: a change makes (or finds) another
// set, never edits one, so streams that share a set cannot see each other's changes.
//
// Finding the shared set costs about what the change costs, not what the set holds:
// - a set remembers the sets its recent changes led to, so the 999 streams that follow the first
//   through the same change take the result from there: a small change (Envoy subscribing to one
//   new cluster's endpoints) by its exact names; a large one (every EDS name at once, on connecting)
//   by a sample of them, the result then confirmed name by name (lookups only, no hashing);
// - otherwise the result is looked up by content: size plus two 32-bit hashes summed over the
//   names (order-independent, so updated name by name), confirmed name by name before sharing;
//   streams that reached the same names by different requests meet there.
// Sets are held only by the streams using them: the table and the remembered changes hold them
// weakly, so a set no stream uses is collected and its entry dropped.

/** How many changes a set remembers (the newest), and how long their names may be in all. */
const REMEMBERED_CHANGES = 16;
const MAX_CHANGE_KEY_CHARS = 4096;

const interned = new Map<string, WeakRef<NameSet>>();
const forget = new FinalizationRegistry<string>((key) => {
  // Another set may have taken the key meanwhile: drop only a dead entry.
  if (interned.get(key)?.deref() === undefined) interned.delete(key);
});

export class NameSet {
  static readonly EMPTY = new NameSet(new Set(), 0, 0);

  /** Recent changes from this set, by changeKey, and the sets they led to. */
  private readonly changes = new Map<string, WeakRef<NameSet>>();

  private constructor(
    private readonly set: ReadonlySet<string>,
    private readonly hashA: number,
    private readonly hashB: number,
  ) {}

  /** The interned set of these names. */
  static of(names: Iterable<string>): NameSet {
    const unique = [...new Set(names)];
    return NameSet.EMPTY.changed(unique, []);
  }

  /** Never to be modified: streams sharing this set read it. */
  get names(): ReadonlySet<string> {
    return this.set;
  }

  get size(): number {
    return this.set.size;
  }

  has(name: string): boolean {
    return this.set.has(name);
  }

  /**
   * This set with `added` (names it lacks, each once) and without `removed` (names it has, each
   * once): the interned set of those names. The arguments must be what they say; DeltaSubscription
   * and Subscription compute them.
   */
  changed(added: readonly string[], removed: readonly string[]): NameSet {
    if (added.length === 0 && removed.length === 0) return this;
    const key = changeKey(added, removed);
    const remembered = this.changes.get(key.key)?.deref();
    if (remembered && (key.exact || this.leadsTo(remembered, added, removed))) return remembered;

    let hashA = this.hashA;
    let hashB = this.hashB;
    for (const name of added) {
      hashA = (hashA + nameHashA(name)) >>> 0;
      hashB = (hashB + nameHashB(name)) >>> 0;
    }
    for (const name of removed) {
      hashA = (hashA - nameHashA(name)) >>> 0;
      hashB = (hashB - nameHashB(name)) >>> 0;
    }
    const size = this.set.size + added.length - removed.length;
    const contentKey = `${size}:${hashA}:${hashB}`;
    const found = interned.get(contentKey)?.deref();
    let result: NameSet;
    if (found && this.leadsTo(found, added, removed)) result = found;
    else {
      const names = new Set(this.set);
      for (const name of added) names.add(name);
      for (const name of removed) names.delete(name);
      result = size === 0 ? NameSet.EMPTY : new NameSet(names, hashA, hashB);
      // A different set under the same key (a hash collision) keeps its place; this one is then not shared.
      if (!found && size > 0) {
        interned.set(contentKey, new WeakRef(result));
        forget.register(result, contentKey);
      }
    }
    this.remember(key.key, result);
    return result;
  }

  /** Whether `candidate` holds exactly this set's names plus `added` minus `removed`. */
  private leadsTo(candidate: NameSet, added: readonly string[], removed: readonly string[]): boolean {
    if (candidate.size !== this.set.size + added.length - removed.length) return false;
    for (const name of added) if (!candidate.has(name)) return false;
    // removed ⊆ this set and added is disjoint from it: equal sizes then make the sets equal
    // once every name kept is in the candidate.
    let kept = 0;
    for (const name of this.set) if (candidate.has(name)) kept += 1;
    return kept === this.set.size - removed.length;
  }

  private remember(key: string, result: NameSet): void {
    this.changes.delete(key);
    this.changes.set(key, new WeakRef(result));
    if (this.changes.size > REMEMBERED_CHANGES) this.changes.delete(this.changes.keys().next().value ?? '');
  }
}

/**
 * What a change is remembered by. A small change: its names, each with its length (so no two
 * changes share a key, whatever the names hold): exact. A large one: its sizes and a few of its
 * names, so a result found by it must be confirmed.
 */
function changeKey(added: readonly string[], removed: readonly string[]): { key: string; exact: boolean } {
  let chars = 0;
  for (const name of added) chars += name.length;
  for (const name of removed) chars += name.length;
  let key = `${added.length}/${removed.length}/${chars}/`;
  if (chars <= MAX_CHANGE_KEY_CHARS) {
    for (const name of added) key += `${name.length}:${name}`;
    for (const name of removed) key += `${name.length}:${name}`;
    return { key, exact: true };
  }
  for (const names of [added, removed]) {
    for (const at of [0, 0.25, 0.5, 0.75, 1]) {
      const name = names[Math.min(names.length - 1, Math.floor(at * names.length))] ?? '';
      key += `${name.length}:${name}`;
    }
  }
  return { key: `~${key}`, exact: false };
}

/** FNV-1a over UTF-16 code units. */
function nameHashA(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** A second, independent hash (multiply-xorshift with other constants). */
function nameHashB(name: string): number {
  let hash = 0x9e3779b9 ^ name.length;
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x5bd1e995) ^ (hash >>> 15);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}
