// A file's stamp: what must stay the same for its content to count as unchanged. Inode and ctime
// catch a rename over the file and edits that restore the mtime; size and mtime catch the rest.
import type { Stats } from 'node:fs';
import { compareStrings } from '../../util/compare.js';

export type Stamps = ReadonlyMap<string, string>;

/** Stamp of a file that changed while being read: equal to no stamp, so it is read again. */
export const CHANGING = 'changing';

export function stampOf(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
}

/** Paths added, removed or changed between two stamp sets, sorted. */
export function changedPaths(before: Stamps, after: Stamps): string[] {
  const changed = new Set<string>();
  for (const [path, stamp] of after) if (stamp === CHANGING || before.get(path) !== stamp) changed.add(path);
  for (const path of before.keys()) if (!after.has(path)) changed.add(path);
  return [...changed].sort(compareStrings);
}

/** The same paths with the same stamps, none of them changing while read. */
export function sameStamps(a: Stamps, b: Stamps): boolean {
  if (a.size !== b.size) return false;
  for (const [path, stamp] of b) if (stamp === CHANGING || a.get(path) !== stamp) return false;
  return true;
}
