// A list sorted by name, made of several source lists (the fleet's listeners and the gRPC view's;
// each route table's virtual hosts). Per publish the operator hands over tens of thousands of
// entries, all but a few the very objects it gave last time in the same places, so the sorted list
// is the previous one with those few replaced in place: one pass of identity checks, no sort. When
// the sources do not line up (an entry comes, goes or is renamed), it is sorted anew.
import { compareStrings } from './compare-strings.js';

export interface SortedByName<Source, Item> {
  /** The source lists it was made from. */
  readonly sources: readonly (readonly Source[])[];
  readonly sorted: readonly Item[];
  /** Per source list, per entry: where its item is in `sorted`. */
  readonly positions: readonly (readonly number[])[];
}

/**
 * `sources` converted item by item and sorted by name (stable: equal names keep source order).
 * `convert` must give an item of the same name for an entry of the same name.
 */
export function sortedByName<Source, Item extends { name?: string | null }>(sources: readonly (readonly Source[])[], convert: (entry: Source, list: number) => Item, previous?: SortedByName<Source, Item>): SortedByName<Source, Item> {
  return (previous && replacedInPlace(sources, convert, previous)) ?? sortedAnew(sources, convert);
}

function replacedInPlace<Source, Item extends { name?: string | null }>(sources: readonly (readonly Source[])[], convert: (entry: Source, list: number) => Item, previous: SortedByName<Source, Item>): SortedByName<Source, Item> | undefined {
  if (sources.length !== previous.sources.length || sources.some((list, l) => list.length !== previous.sources[l]?.length)) return undefined;
  let sorted: Item[] | undefined;
  for (let l = 0; l < sources.length; l++) {
    const list = sources[l] as readonly Source[];
    const before = previous.sources[l] as readonly Source[];
    if (list === before) continue;
    const positions = previous.positions[l] as readonly number[];
    for (let i = 0; i < list.length; i++) {
      if (list[i] === before[i]) continue;
      const position = positions[i] as number;
      const item = convert(list[i] as Source, l);
      if ((item.name ?? '') !== (previous.sorted[position]?.name ?? '')) return undefined;
      (sorted ??= [...previous.sorted])[position] = item;
    }
  }
  return { sources, sorted: sorted ?? previous.sorted, positions: previous.positions };
}

function sortedAnew<Source, Item extends { name?: string | null }>(sources: readonly (readonly Source[])[], convert: (entry: Source, list: number) => Item): SortedByName<Source, Item> {
  const entries = sources.flatMap((list, l) => list.map((entry, i) => ({ item: convert(entry, l), l, i })));
  entries.sort((a, b) => compareStrings(a.item.name ?? '', b.item.name ?? ''));
  const positions = sources.map((list) => new Array<number>(list.length));
  entries.forEach(({ l, i }, position) => ((positions[l] as number[])[i] = position));
  return { sources, sorted: entries.map(({ item }) => item), positions };
}
