// Loads the folder only once it has stopped changing. Editors and tools write files in steps
// (truncate, then write; or write in chunks), and a load in between would publish a half-written
// file: an emptied IngressClass file removes every listener of its fleet. So a load counts only
// if, a quiet period after it, every manifest file still has the stamp (size, mtime, ctime,
// inode) it was read at; otherwise the folder is read again and the wait starts over.
import { setTimeout as sleep } from 'node:timers/promises';
import { listManifestFiles } from './list-manifest-files.js';
import { loadManifestsAsync } from './load-manifests.js';
import type { LoadOptions, LoadedManifests } from './load-manifests.js';
import { DEFAULT_MANIFEST_LIMITS } from './manifest-limits.js';
import type { ManifestLimits } from './manifest-limits.js';
import { changedPaths } from './manifest-stamps.js';
import { updateListing } from './listing-update.js';
import { compareStrings } from '../../util/compare.js';

export interface SettleOptions extends LoadOptions {
  /** How long every file must stay unchanged after being read. */
  quietMs: number;
  /** Stops waiting (the server is stopping): the load then resolves to undefined. */
  signal?: AbortSignal;
  /** Told once per load when files are still changing after `reportAfterMs` (10 s). */
  onUnsettled?: (changing: string[], waitedMs: number) => void;
  reportAfterMs?: number;
  /**
   * The entries a watcher named since this load started (undefined: it cannot tell). With them,
   * the check after the quiet period looks at those entries instead of walking the folder.
   */
  namedSince?: () => ReadonlySet<string> | undefined;
}

export interface SettledLoad {
  loaded: LoadedManifests;
  /** How long the load that is used took (reading and parsing, not waiting). */
  loadMs: number;
  /** From the first read to the end of the quiet period. */
  waitedMs: number;
}

export async function loadSettledManifests(paths: readonly string[], options: SettleOptions): Promise<SettledLoad | undefined> {
  const started = performance.now();
  const reportAfterMs = options.reportAfterMs ?? 10_000;
  let reported = false;
  // The entries named as changed are looked at once; a load that did not settle walks again.
  let load: LoadOptions = options;
  for (;;) {
    const loadStarted = performance.now();
    const loaded = await loadManifestsAsync(paths, load);
    load = { ...load, since: undefined };
    const loadMs = performance.now() - loadStarted;
    // No quiet period asked for (every writer renames files into place): a file that changes
    // after its read has an event of its own, so listing the folder again would only double the
    // cost of a reload. A file caught changing while it was read, and a load that could not read
    // everything (a file removed between the listing and its read), are still checked again.
    if (options.quietMs <= 0 && !options.signal?.aborted && !loaded.unreadable && !loaded.changing) {
      return { loaded, loadMs, waitedMs: performance.now() - started };
    }
    if (!(await quiet(options.quietMs, options.signal))) return undefined;
    const limits = options.limits ?? DEFAULT_MANIFEST_LIMITS;
    const changing = (await changedAmongNamed(loaded, options.namedSince?.(), limits)) ?? changedPaths(loaded.stamps, (await listManifestFiles(paths, limits)).stamps);
    if (changing.length === 0) return { loaded, loadMs, waitedMs: performance.now() - started };
    const waitedMs = performance.now() - started;
    if (!reported && waitedMs >= reportAfterMs) {
      reported = true;
      options.onUnsettled?.(changing, waitedMs);
    }
  }
}

/** The named entries whose stamps differ from the load's; undefined when only a walk can tell. */
async function changedAmongNamed(loaded: LoadedManifests, named: ReadonlySet<string> | undefined, limits: ManifestLimits): Promise<string[] | undefined> {
  if (!named || !loaded.baseline) return undefined;
  const now = await updateListing(loaded.baseline, named, limits);
  if (!now) return undefined;
  return [...named].filter((path) => now.stamps.get(path) !== loaded.stamps.get(path)).sort(compareStrings);
}

/** False when aborted. */
async function quiet(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(ms, undefined, signal ? { signal } : {});
    return true;
  } catch {
    return false;
  }
}
