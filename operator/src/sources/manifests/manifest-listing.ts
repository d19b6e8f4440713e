// What a walk of the manifest paths found: the files to read, in one order whatever order the
// file system listed them in, and every entry that will not be read with the reason. Shared by
// the synchronous and asynchronous walkers, which only do the I/O.
import type { Stats } from 'node:fs';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { compareStrings } from '../../util/compare.js';
import { describeError, isManifestName, refusalOf } from './manifest-entry.js';
import type { ManifestLimits } from './manifest-limits.js';
import { formatBytes } from './manifest-limits.js';
import { stampOf } from './manifest-stamps.js';

export interface ListedFile {
  path: string;
  /** As listed: what the parsed-file cache is looked up by. */
  stamp: string;
  size: number;
}

export interface Listing {
  /** Regular files within the limits, sorted by path (code units), each once. */
  files: ListedFile[];
  /** Entries not read, and why. */
  problems: Diagnostic[];
  /** Some entry that may hold manifests could not be read (an error, not a skipped FIFO). */
  unreadable: boolean;
  /** Stamps of every manifest entry seen, read or not: a change to any of them is a change. */
  stamps: Map<string, string>;
  /** Some entry was a symbolic link: its stamp is its target's, which can change elsewhere. */
  links: boolean;
}

const MISSING = 'missing';

export class ListingBuilder {
  private readonly files: ListedFile[] = [];
  private readonly problems: Diagnostic[] = [];
  private readonly stamps = new Map<string, string>();
  private links = false;

  constructor(private readonly limits: ManifestLimits) {}

  cannotRead(path: string, error: unknown, why = ''): void {
    this.problems.push({ object: path, severity: 'error', message: `cannot read: ${describeError(error)}${why}` });
    this.stamps.set(path, MISSING);
  }

  /** An entry of a folder that is not itself a folder, with its stat (links followed) or why stat failed. */
  entry(path: string, name: string, link: boolean, stats: Stats | { error: unknown }): void {
    const manifest = isManifestName(name);
    if (link) this.links = true;
    if ('error' in stats) {
      if (manifest) this.cannotRead(path, stats.error, link ? ' (a symbolic link to nothing)' : '');
      return;
    }
    if (link && stats.isDirectory()) {
      // Followed, a link could loop or make a file count twice; folders are read where they are.
      this.problems.push({ object: path, severity: 'warning', message: 'a symbolic link to a folder; not followed' });
      return;
    }
    if (manifest) this.named(path, stats);
  }

  finish(): Listing {
    const byPath = new Map<string, ListedFile>();
    for (const file of this.files) byPath.set(file.path, file);
    const sorted = [...byPath.values()].sort((a, b) => compareStrings(a.path, b.path));
    const files: ListedFile[] = [];
    let total = 0;
    for (const file of sorted) {
      total += file.size;
      if (total <= this.limits.maxTotalBytes) {
        files.push(file);
        continue;
      }
      // Counted in path order, so which files are left out does not depend on the file system.
      this.problems.push({ object: file.path, severity: 'error', message: `not read: the manifests add up to more than the limit of ${formatBytes(this.limits.maxTotalBytes)}` });
    }
    // A path named twice (or inside a folder also named) is one entry: said once.
    const unique = new Map(this.problems.map((p) => [`${p.object}\0${p.message}`, p]));
    const problems = [...unique.values()].sort((a, b) => compareStrings(a.object, b.object));
    return { files, problems, unreadable: problems.some((p) => p.severity === 'error'), stamps: this.stamps, links: this.links };
  }

  /** A file to read, if the rules allow; a path the caller named directly is read whatever its name. */
  named(path: string, stats: Stats): void {
    const stamp = stampOf(stats);
    this.stamps.set(path, stamp);
    const refusal = refusalOf(stats, this.limits);
    if (refusal) this.problems.push({ object: path, severity: refusal.severity, message: refusal.reason });
    else this.files.push({ path, stamp, size: stats.size });
  }
}
