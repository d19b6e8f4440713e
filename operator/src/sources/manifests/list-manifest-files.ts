// Walks the manifest paths: files named directly, and every manifest file under named folders.
// Only stat, never open: stat cannot block on a FIFO or read a device, so deciding what to read
// is safe whatever the folder holds. Two walkers with one set of rules (ListingBuilder): the
// asynchronous one for `portico serve` and `portico translate`, the synchronous one for tests and
// tools that cannot await.
// The asynchronous walker keeps a bounded number of stats in flight. They go through libuv's
// thread pool (four threads) in the order they were asked for, and so do a reload's reads: a walk
// that asked for 10,000 stats at once made any read asked for meanwhile wait behind all of them
// (measured: an edit's reload went from about 55 to 130 ms, and the edit's change → all ACKed to
// 349 ms, when the safety-net poll walked 10,000 files during it). The bound does not cover file
// systems that give readdir no entry types (some FUSE mounts, XFS with ftype=0): there Node's
// readdir with file types falls back to an lstat per entry of its own. When its signal is
// aborted (the poll's look, once a reload makes its result useless), the walk asks for nothing
// more and rejects at once, even with a stat still under way (one that hangs on a dead network
// mount included).
import { readdirSync, statSync } from 'node:fs';
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { mapConcurrent } from './map-concurrent.js';
import { isHidden, isManifestName } from './manifest-entry.js';
import type { ManifestLimits } from './manifest-limits.js';
import { ListingBuilder } from './manifest-listing.js';
import type { Listing } from './manifest-listing.js';

/**
 * Stats in flight at once: enough to keep the thread pool busy (with 16 to 64 in flight, a walk of
 * 10,000 files took 137-256 ms, with all of them at once 183-426 ms), few enough that a read asked
 * for meanwhile waits for a handful.
 */
const STATS_IN_FLIGHT = 32;

export interface WalkOptions {
  /** Stops the walk: it asks for no more stats and rejects at once with the signal's reason. */
  signal?: AbortSignal;
}

export async function listManifestFiles(paths: readonly string[], limits: ManifestLimits, options: WalkOptions = {}): Promise<Listing> {
  const { signal } = options;
  if (!signal) return listAll(paths, limits, undefined);
  signal.throwIfAborted();
  const listed = listAll(paths, limits, signal);
  // What is still under way when the signal fires settles later, unobserved.
  listed.catch(() => undefined);
  let stop!: () => void;
  const stopped = new Promise<never>((_, reject) => {
    stop = () => reject(signal.reason);
    signal.addEventListener('abort', stop, { once: true });
  });
  try {
    return await Promise.race([listed, stopped]);
  } finally {
    signal.removeEventListener('abort', stop);
  }
}

async function listAll(paths: readonly string[], limits: ManifestLimits, signal: AbortSignal | undefined): Promise<Listing> {
  const listing = new ListingBuilder(limits);
  for (const path of paths) {
    signal?.throwIfAborted();
    const stats = await stat(path).catch((error: unknown) => ({ error }));
    if ('error' in stats) listing.cannotRead(path, stats.error);
    else if (stats.isDirectory()) await walk(path, listing, signal);
    else listing.named(path, stats);
  }
  return listing.finish();
}

async function walk(dir: string, listing: ListingBuilder, signal: AbortSignal | undefined): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    listing.cannotRead(dir, error);
    return;
  }
  const folders: string[] = [];
  const files: Dirent[] = [];
  for (const entry of entries) {
    if (isHidden(entry.name)) continue;
    if (entry.isDirectory()) folders.push(join(dir, entry.name));
    else if (worthStat(entry)) files.push(entry);
  }
  // Several at a time: a folder of 10,000 files would otherwise wait for 10,000 round trips.
  await mapConcurrent(files, STATS_IN_FLIGHT, async (entry) => {
    signal?.throwIfAborted();
    const path = join(dir, entry.name);
    listing.entry(path, entry.name, entry.isSymbolicLink(), await stat(path).catch((error: unknown) => ({ error })));
  });
  for (const folder of folders) {
    signal?.throwIfAborted();
    await walk(folder, listing, signal);
  }
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
