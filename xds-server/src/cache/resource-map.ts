// A type snapshot's resources by name, in name (code-unit) order, immutable, and cheap to derive
// from: replacing, adding or removing k resources of an n-resource map costs O(k + √n), not a
// copy of n entries. A map is a shared sorted base (a plain Map, never changed once built) plus a
// small overlay of the names that differ from it; lookups try the overlay, then the base, and
// iteration merges the two in name order, so every reader sees one sorted ReadonlyMap.
//
// The overlay grows with each derivation, so it is folded into a new base, a little at a time:
// once it holds about √n names, a builder starts copying the map as it is at that moment
// (immutable) into a new Map, about √n entries per later derivation; when the copy is done, the
// derivation in hand takes it as its base and keeps in its overlay only the names that changed
// since. Every derivation thus does O(k + √n) work and no single update pays for a full copy.
// A derivation touching a large share of the map is simply built whole (that is what it touches).
//
// Whoever iterates the whole map pays O(n) anyway, so the first full iteration of a map with an
// overlay also flattens it into a plain Map, kept: later lookups and iterations of that map run
// at Map speed (a thousand streams walking one snapshot pay for the merge once), and maps derived
// from it start from the flat Map with an empty overlay.
import { compareStrings } from '../util/compare-strings.js';

/** In an overlay: the name is absent, whatever the base says. */
const REMOVED = null;
type Entry<V> = V | typeof REMOVED;

/** Folds an overlay into a new base, spread over the derivations that follow its start. */
class Builder<V> {
  readonly target = new Map<string, V>();
  private readonly entries: Iterator<[string, V]>;
  done = false;

  constructor(readonly source: ResourceMap<V>) {
    this.entries = source.merged();
  }

  advance(steps: number): void {
    for (let i = 0; i < steps && !this.done; i++) {
      const next = this.entries.next();
      if (next.done) this.done = true;
      else this.target.set(next.value[0], next.value[1]);
    }
  }
}

export class ResourceMap<V> implements ReadonlyMap<string, V> {
  /** base + overlay as one sorted Map, once something iterated the whole map (see above). */
  private flat?: Map<string, V>;

  private constructor(
    private readonly base: ReadonlyMap<string, V>,
    /** Names that differ from the base: a value, or REMOVED. */
    private readonly overlay: ReadonlyMap<string, Entry<V>>,
    /** The overlay's names, sorted. */
    private readonly overlayNames: readonly string[],
    readonly size: number,
    /** Set while a new base is being built for this map's line of derivations. */
    private readonly builder?: Builder<V>,
  ) {}

  /** A map of entries already in name order (they are not sorted again). */
  static ofSorted<V>(sorted: Map<string, V>): ResourceMap<V> {
    return new ResourceMap(sorted, new Map(), [], sorted.size);
  }

  static empty<V>(): ResourceMap<V> {
    return new ResourceMap<V>(new Map(), new Map(), [], 0);
  }

  get(name: string): V | undefined {
    if (this.flat) return this.flat.get(name);
    if (this.overlay.size > 0) {
      const entry = this.overlay.get(name);
      if (entry !== undefined) return entry ?? undefined;
    }
    return this.base.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * This map with `changes` applied: a value sets the name, undefined removes it. Costs O(k + √n)
   * for k changes (see the file comment); `this` is not changed.
   */
  with(changes: ReadonlyMap<string, V | undefined>): ResourceMap<V> {
    if (this.flat) return ResourceMap.ofSorted(this.flat).with(changes);
    let size = this.size;
    for (const [name, value] of changes) {
      const had = this.has(name);
      if (had && value === undefined) size--;
      else if (!had && value !== undefined) size++;
    }
    // Touching a large share of the map: build it whole, which costs about what was touched.
    if (this.overlay.size + changes.size > Math.max(64, size / 4)) {
      const merged = new Map<string, V>();
      for (const [name, value] of mergeSorted(this.merged(), changes)) merged.set(name, value);
      return ResourceMap.ofSorted(merged);
    }
    // Names never leave the overlay while the base stays (a removal is a REMOVED entry), which
    // is what lets a finished builder's copy become the base of any later derivation.
    const overlay = new Map<string, Entry<V>>(this.overlay);
    const added: string[] = [];
    for (const [name, value] of changes) {
      if (!overlay.has(name)) added.push(name);
      overlay.set(name, value === undefined ? REMOVED : value);
    }
    const overlayNames = mergeNames(this.overlayNames, added.sort(compareStrings));
    const threshold = Math.max(16, Math.ceil(Math.sqrt(size)));
    let builder = this.builder;
    if (!builder && overlay.size >= threshold) builder = new Builder(new ResourceMap(this.base, overlay, overlayNames, size));
    if (!builder) return new ResourceMap(this.base, overlay, overlayNames, size);
    builder.advance(Math.ceil((builder.source.size + 1) / threshold));
    if (!builder.done) return new ResourceMap(this.base, overlay, overlayNames, size, builder);
    return this.rebased(builder, overlay, overlayNames, size);
  }

  /**
   * The map base + overlay, over the builder's finished copy of its source instead: the source
   * is an ancestor on the same base, so every name it overlaid is in `overlay` too, and a name
   * outside `overlay` reads the same in the old base, the source and the copy. Only the names
   * that differ from the copy stay in the overlay.
   */
  private rebased(builder: Builder<V>, overlay: ReadonlyMap<string, Entry<V>>, overlayNames: readonly string[], size: number): ResourceMap<V> {
    const { source, target } = builder;
    const descends = source.base === this.base && [...source.overlay.keys()].every((name) => overlay.has(name));
    if (!descends) return new ResourceMap(this.base, overlay, overlayNames, size);
    const rest = new Map<string, Entry<V>>();
    for (const [name, entry] of overlay) {
      const value = entry ?? undefined;
      if (value !== target.get(name)) rest.set(name, value === undefined ? REMOVED : value);
    }
    return new ResourceMap(target, rest, overlayNames.filter((name) => rest.has(name)), size);
  }

  /** Names held apart from the shared base (what a derivation copies); the tests check it. */
  get overlaySize(): number {
    return this.overlay.size;
  }

  entries(): MapIterator<[string, V]> {
    return this.whole().entries();
  }

  keys(): MapIterator<string> {
    return this.whole().keys();
  }

  values(): MapIterator<V> {
    return this.whole().values();
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.whole().entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [name, value] of this.whole()) callback.call(thisArg, value, name, this);
  }

  /** The whole map as one sorted Map: the base itself, or the overlay merged in (once). */
  private whole(): ReadonlyMap<string, V> {
    if (this.overlay.size === 0) return this.base;
    if (!this.flat) {
      const flat = new Map<string, V>();
      for (const [name, value] of this.merged()) flat.set(name, value);
      this.flat = flat;
    }
    return this.flat;
  }

  /** Base and overlay merged in name order, as they are read (nothing is flattened). */
  *merged(): Generator<[string, V]> {
    if (this.overlay.size === 0) {
      yield* this.base;
      return;
    }
    const names = this.overlayNames;
    let next = 0;
    for (const entry of this.base) {
      const [name] = entry;
      while (next < names.length && (names[next] as string) < name) {
        const extra = names[next++] as string;
        const value = this.overlay.get(extra);
        if (value != null) yield [extra, value];
      }
      if (names[next] === name) {
        next++;
        const value = this.overlay.get(name);
        if (value != null) yield [name, value];
      } else {
        yield entry;
      }
    }
    while (next < names.length) {
      const extra = names[next++] as string;
      const value = this.overlay.get(extra);
      if (value != null) yield [extra, value];
    }
  }
}

/** Two sorted lists of distinct names, merged (a name in both once). */
function mergeNames(a: readonly string[], b: readonly string[]): string[] {
  if (b.length === 0) return a.slice();
  const merged: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) merged.push(a[i++] as string);
    else if (x === undefined || y < x) merged.push(b[j++] as string);
    else {
      merged.push(x);
      i++;
      j++;
    }
  }
  return merged;
}

/** Sorted entries with changes applied (undefined removes), in name order. */
function* mergeSorted<V>(entries: Iterable<[string, V]>, changes: ReadonlyMap<string, V | undefined>): Generator<[string, V]> {
  const names = [...changes.keys()].sort(compareStrings);
  let next = 0;
  for (const entry of entries) {
    const [name] = entry;
    while (next < names.length && (names[next] as string) < name) {
      const extra = names[next++] as string;
      const value = changes.get(extra);
      if (value !== undefined) yield [extra, value];
    }
    if (names[next] === name) {
      next++;
      const value = changes.get(name);
      if (value !== undefined) yield [name, value];
    } else {
      yield entry;
    }
  }
  while (next < names.length) {
    const extra = names[next++] as string;
    const value = changes.get(extra);
    if (value !== undefined) yield [extra, value];
  }
}
