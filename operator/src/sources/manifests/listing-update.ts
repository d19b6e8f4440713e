// A folder's listing brought up to date from the last one, when a watcher has named every entry
// that changed since: one lstat per named entry instead of a stat of every file (at 10,000 files a
// walk takes 150–200 ms and makes 29 MiB of garbage, on every edit). Only the plain cases are
// updated: manifest files edited, added or removed, in a folder whose last listing had no problem
// and no link.
// Whatever the walk's rules treat specially (a folder, a link, a refusal, the total size limit, a
// path outside the folder) is left to a walk, which is always right: undefined means walk.
import { lstat } from 'node:fs/promises';
import { basename, isAbsolute, relative, sep } from 'node:path';
import { lowerBound } from '../../util/compare.js';
import { isHidden, isManifestName, refusalOf } from './manifest-entry.js';
import type { ManifestLimits } from './manifest-limits.js';
import type { ListedFile, Listing } from './manifest-listing.js';
import { stampOf } from './manifest-stamps.js';
import type { Stamps } from './manifest-stamps.js';

/**
 * What a later load can update: a listing of one folder, without problems and without links (a
 * link's stamp is its target's, which can change without any change in the folder), as read, with
 * no file caught changing while it was read.
 */
export interface ListingBaseline {
  folder: string;
  /** Sorted by path, as the walk sorts them. */
  files: readonly ListedFile[];
  /** The stamps the files were read at. */
  stamps: Stamps;
}

/** Past this many named entries, a walk costs no more than looking at each. */
const MOST_NAMED = 256;

export async function updateListing(baseline: ListingBaseline, changed: ReadonlySet<string>, limits: ManifestLimits): Promise<Listing | undefined> {
  if (changed.size > MOST_NAMED) return undefined;
  const update = new ListingUpdate(baseline);
  for (const path of changed) if (!(await update.entry(path, limits))) return undefined;
  return update.finish(limits);
}

class ListingUpdate {
  private readonly files: ListedFile[];
  private readonly stamps: Map<string, string>;

  constructor(private readonly baseline: ListingBaseline) {
    this.files = baseline.files.slice();
    this.stamps = new Map(baseline.stamps);
  }

  /** False: only a walk can tell what this entry changed. */
  async entry(path: string, limits: ManifestLimits): Promise<boolean> {
    const within = relative(this.baseline.folder, path);
    if (within === '' || within === '..' || within.startsWith(`..${sep}`) || isAbsolute(within)) return false;
    const parts = within.split(sep);
    if (parts.slice(0, -1).some(isHidden)) return true; // the walk never looks inside hidden folders
    const name = basename(path);
    let stats;
    try {
      stats = await lstat(path);
    } catch (error) {
      return this.gone(path, error);
    }
    if (stats.isDirectory() || stats.isSymbolicLink()) return false;
    // A folder replaced by a file: the walk says what is left of what was listed under it.
    if (this.listedUnder(path)) return false;
    if (isHidden(name) || !isManifestName(name)) return true; // never read, nor stamped
    if (!stats.isFile() || refusalOf(stats, limits)) return false; // the walk says why
    const stamp = stampOf(stats);
    this.stamps.set(path, stamp);
    this.place({ path, stamp, size: stats.size });
    return true;
  }

  finish(limits: ManifestLimits): Listing | undefined {
    let total = 0;
    for (const file of this.files) total += file.size;
    if (total > limits.maxTotalBytes) return undefined;
    return { files: this.files, problems: [], unreadable: false, stamps: this.stamps, links: false };
  }

  private gone(path: string, error: unknown): boolean {
    const code = error instanceof Error && 'code' in error ? error.code : undefined;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') return false;
    if (this.stamps.delete(path)) {
      const at = this.indexOf(path);
      if (at.found) this.files.splice(at.index, 1);
      return true;
    }
    // A folder that held listed files is gone: the walk says what is left.
    return !this.listedUnder(path);
  }

  /** Some file is listed under the path as a folder (the files are sorted: they are together). */
  private listedUnder(path: string): boolean {
    const below = path + sep;
    const { index } = this.indexOf(below);
    return index < this.files.length && this.files[index]!.path.startsWith(below);
  }

  private place(file: ListedFile): void {
    const at = this.indexOf(file.path);
    if (at.found) this.files[at.index] = file;
    else this.files.splice(at.index, 0, file);
  }

  /** Where the path is, or would be inserted, in the files sorted by path. */
  private indexOf(path: string): { index: number; found: boolean } {
    const index = lowerBound(this.files, path, (file) => file.path);
    return { index, found: this.files[index]?.path === path };
  }
}
