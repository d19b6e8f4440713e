// Builds the ClusterState from parsed files, in path order (code units) and documents in file
// order: the builder keeps the first definition of an object and names both places for a later
// one, so the result never depends on the order a folder was listed in.
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { ClusterStateBuilder } from '../../store/cluster-state-builder.js';
import type { ClusterState } from '../../store/cluster-state.js';
import type { ParsedManifest } from './parse-manifest-text.js';

/**
 * `files` in path order, each with what was wrong with reading it. Problems come out in the same
 * order: a file's own, then its objects'.
 */
export function assembleState(files: ReadonlyArray<Pick<ParsedManifest, 'objects' | 'problems'>>): { state: ClusterState; problems: Diagnostic[] } {
  const builder = new ClusterStateBuilder();
  const problems: Diagnostic[] = [];
  for (const file of files) {
    problems.push(...file.problems);
    for (const { where, value } of file.objects) problems.push(...builder.add(value, where));
  }
  return { state: builder.build(), problems };
}
