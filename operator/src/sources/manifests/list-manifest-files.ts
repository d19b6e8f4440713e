// Walks the manifest paths: files named directly, and every manifest file under named folders.
// Only stat, never open: stat cannot block on a FIFO or read a device, so deciding what to read
// is safe whatever the folder holds. Two walkers with one set of rules (ListingBuilder): the
// asynchronous one for `portico serve` and `portico translate`, the synchronous one for tests and
// tools that cannot await.
import { readdirSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isHidden, isManifestName } from './manifest-entry.js';
import type { ManifestLimits } from './manifest-limits.js';
import { ListingBuilder } from './manifest-listing.js';
import type { Listing } from './manifest-listing.js';

export async function listManifestFiles(paths: readonly string[], limits: ManifestLimits): Promise<Listing> {
  const listing = new ListingBuilder(limits);
  for (const path of paths) {
    const stats = await stat(path).catch((error: unknown) => ({ error }));
    if ('error' in stats) listing.cannotRead(path, stats.error);
    else if (stats.isDirectory()) await walk(path, listing);
    else listing.named(path, stats);
  }
  return listing.finish();
}

async function walk(dir: string, listing: ListingBuilder): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    listing.cannotRead(dir, error);
    return;
  }
  const folders: string[] = [];
  // Stat in parallel: a folder of 10,000 files would otherwise wait for 10,000 round trips.
  await Promise.all(
    entries.map(async (entry) => {
      const path = join(dir, entry.name);
      if (isHidden(entry.name)) return;
      if (entry.isDirectory()) folders.push(path);
      else if (worthStat(entry)) listing.entry(path, entry.name, entry.isSymbolicLink(), await stat(path).catch((error: unknown) => ({ error })));
    }),
  );
  for (const folder of folders) await walk(folder, listing);
}

export function listManifestFilesSync(paths: readonly string[], limits: ManifestLimits): Listing {
  const listing = new ListingBuilder(limits);
  for (const path of paths) {
    const stats = statOrError(path);
    if ('error' in stats) listing.cannotRead(path, stats.error);
    else if (stats.isDirectory()) walkSync(path, listing);
    else listing.named(path, stats);
  }
  return listing.finish();
}

function walkSync(dir: string, listing: ListingBuilder): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    listing.cannotRead(dir, error);
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (isHidden(entry.name)) continue;
    if (entry.isDirectory()) walkSync(path, listing);
    else if (worthStat(entry)) listing.entry(path, entry.name, entry.isSymbolicLink(), statOrError(path));
  }
}

/** Manifests, and links (which may point at a folder someone expects to be read). */
function worthStat(entry: Dirent): boolean {
  return isManifestName(entry.name) || entry.isSymbolicLink();
}

function statOrError(path: string): Stats | { error: unknown } {
  try {
    return statSync(path);
  } catch (error) {
    return { error };
  }
}
