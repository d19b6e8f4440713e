// Builds the ClusterState from parsed files, in path order (code units) and documents in file
// order: the builder keeps the first definition of an object and names both places for a later
// one, so the result never depends on the order a folder was listed in. Problems come out in the
// same order: the listing's, then each file's own, then its objects'.
//
// A folder read again after an edit is assembled from the last assembly when that is sure to
// give what assembling every file again would: re-adding 10,000 files' objects cost about 150 ms
// per reload, for an edit to one file.
//
// The shortcut holds when the folder has the same files in the same order with the same listing
// problems, the last assembly had no object defined twice, and each file that is another parse
// (the manifest cache hands unchanged files over as the very same objects) defines the very same
// objects (kind, namespace and name) as before, with no problem before or after. Then no object
// can have become or stopped being a copy of another, no problem can have come or gone, and each
// object keeps its place: the result is the last state with those objects replaced in place, and
// every kind without one is the very same list. Anything else is assembled in full.
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { ClusterStateBuilder, stateKeyOf } from '../../store/cluster-state-builder.js';
import type { Named } from '../../store/cluster-state-builder.js';
import { clusterStateOf } from '../../store/cluster-state.js';
import type { ClusterState, SupportedKind } from '../../store/cluster-state.js';
import type { ParsedManifest } from './parse-manifest-text.js';

export interface AssembledFile {
  path: string;
  parsed: Pick<ParsedManifest, 'objects' | 'problems'>;
}

export interface Assembled {
  state: ClusterState;
  problems: Diagnostic[];
}

interface LastAssembly extends Assembled {
  listingProblems: readonly Diagnostic[];
  files: readonly AssembledFile[];
  lists: Map<SupportedKind, readonly Named[]>;
  copies: number;
  /** Each kind's index of namespace/name → place, made when first needed and valid while places hold. */
  places: Map<SupportedKind, Map<string, number>>;
}

/** Changed files the shortcut takes whatever the folder's size. */
const MIN_CHANGES = 16;

export class StateAssembly {
  private last: LastAssembly | undefined;
  /** Assemblies made from the last one, and in full. */
  readonly counts = { patched: 0, full: 0 };

  /** `files` in path order; `listingProblems` are the entries the listing did not read, said first. */
  assemble(listingProblems: readonly Diagnostic[], files: readonly AssembledFile[]): Assembled {
    const patched = this.last && patchedState(this.last, listingProblems, files);
    if (this.last && patched) {
      this.counts.patched += 1;
      this.last = { ...this.last, ...patched, files, listingProblems };
      return { state: patched.state, problems: patched.problems };
    }
    this.counts.full += 1;
    const builder = new ClusterStateBuilder();
    const problems: Diagnostic[] = [...listingProblems];
    for (const { parsed } of files) {
      problems.push(...parsed.problems);
      for (const { where, value } of parsed.objects) problems.push(...builder.add(value, where));
    }
    const lists = builder.sortedLists();
    const state = stateOf(lists);
    this.last = { state, problems, listingProblems, files, lists, copies: builder.copies, places: new Map() };
    return { state, problems };
  }

  /** Forgets the last assembly: the next one is made in full. */
  clear(): void {
    this.last = undefined;
  }
}

function patchedState(last: LastAssembly, listingProblems: readonly Diagnostic[], files: readonly AssembledFile[]): Pick<LastAssembly, 'state' | 'problems' | 'lists'> | undefined {
  if (last.copies > 0 || files.length !== last.files.length || !sameProblems(last.listingProblems, listingProblems)) return undefined;
  const replaced = new Map<SupportedKind, Named[]>();
  // Each changed file is added twice here (before and after): past a few, assembling in full is cheaper.
  let changes = Math.max(MIN_CHANGES, files.length / 8);
  for (let i = 0; i < files.length; i++) {
    const now = files[i] as AssembledFile;
    const before = last.files[i] as AssembledFile;
    if (now.path !== before.path) return undefined;
    if (now.parsed === before.parsed) continue;
    if (--changes < 0) return undefined;
    const was = soleObjects(before.parsed);
    const is = soleObjects(now.parsed);
    if (!was || !is) return undefined;
    for (const [kind, objects] of is) {
      const previous = was.get(kind) ?? [];
      if (objects.length !== previous.length) return undefined;
      const places = placesOf(last, kind);
      for (let k = 0; k < objects.length; k++) {
        const key = stateKeyOf(objects[k] as Named);
        const place = places.get(key);
        if (key !== stateKeyOf(previous[k] as Named) || place === undefined) return undefined;
        let list = replaced.get(kind);
        if (!list) replaced.set(kind, (list = [...(last.lists.get(kind) ?? [])]));
        list[place] = objects[k] as Named;
      }
    }
    // A kind the old parse defined and the new one does not.
    for (const kind of was.keys()) if (!is.has(kind)) return undefined;
  }
  if (replaced.size === 0) return { state: last.state, problems: last.problems, lists: last.lists };
  // Kinds without a replaced object keep the very list the last state had.
  const lists = new Map(last.lists);
  for (const [kind, list] of replaced) lists.set(kind, list);
  return { state: stateOf(lists), problems: last.problems, lists };
}

/** One file's objects by kind, in the state's order; undefined when reading or adding any says a problem. */
function soleObjects(parsed: AssembledFile['parsed']): Map<SupportedKind, Named[]> | undefined {
  if (parsed.problems.length > 0) return undefined;
  const builder = new ClusterStateBuilder();
  for (const { where, value } of parsed.objects) if (builder.add(value, where).length > 0) return undefined;
  const lists = builder.sortedLists();
  for (const [kind, list] of lists) if (list.length === 0) lists.delete(kind);
  return lists;
}

function placesOf(last: LastAssembly, kind: SupportedKind): Map<string, number> {
  let places = last.places.get(kind);
  if (!places) {
    places = new Map((last.lists.get(kind) ?? []).map((object, i) => [stateKeyOf(object), i]));
    last.places.set(kind, places);
  }
  return places;
}

/** The state of these lists: its fields are the very arrays. */
function stateOf(lists: ReadonlyMap<SupportedKind, readonly Named[]>): ClusterState {
  return clusterStateOf(<T>(kind: SupportedKind) => (lists.get(kind) ?? []) as T[]);
}

function sameProblems(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  return a.length === b.length && a.every((p, i) => p.object === b[i]?.object && p.severity === b[i]?.severity && p.message === b[i]?.message);
}
