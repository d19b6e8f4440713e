// The standalone source: reads manifest files and folders into a ClusterState. Nothing in the
// folder can make it throw, block or run out of memory: entries that are not regular files are
// skipped, sizes are bounded (ManifestLimits), YAML is parsed safely, and every file or document
// that cannot be used is a diagnostic naming it, so a caller can keep serving its last good state.
//
// loadManifestsAsync never blocks the event loop (what `portico serve` and `portico translate`
// use); loadManifests is the same load with synchronous I/O, for tests and tools that cannot await.
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ClusterState } from '../../store/cluster-state.js';
import { listManifestFiles, listManifestFilesSync } from './list-manifest-files.js';
import { updateListing } from './listing-update.js';
import type { ListingBaseline } from './listing-update.js';
import type { ManifestCache } from './manifest-cache.js';
import { DEFAULT_MANIFEST_LIMITS } from './manifest-limits.js';
import type { ManifestLimits } from './manifest-limits.js';
import type { ListedFile, Listing } from './manifest-listing.js';
import { CHANGING } from './manifest-stamps.js';
import type { Stamps } from './manifest-stamps.js';
import { mapConcurrent } from './map-concurrent.js';
import { parseManifestText } from './parse-manifest-text.js';
import type { ParsedManifest } from './parse-manifest-text.js';
import { readManifestFile, readManifestFileSync } from './read-manifest-file.js';
import type { FileContent } from './read-manifest-file.js';
import { StateAssembly } from './state-assembly.js';

export interface LoadedManifests {
  state: ClusterState;
  problems: Diagnostic[];
  /**
   * True when some input could not be read or parsed at all (as opposed to objects with problems,
   * or entries skipped because they can never hold manifests, such as a FIFO).
   */
  unreadable: boolean;
  /** The problems with files and documents, as opposed to objects: what `unreadable` is about. */
  fileProblems: Diagnostic[];
  /** Stamp of every manifest file as it was read: what "unchanged since this load" compares. */
  stamps: Stamps;
  /** Some file changed while it was read (its stamp is CHANGING): a settled load reads again. */
  changing: boolean;
  /** What a later load of the same folder can update instead of walking it (none after a problem or with links). */
  baseline?: ListingBaseline;
  /** The folder was walked, rather than its last listing updated with the entries named as changed. */
  walked: boolean;
}

export interface LoadOptions {
  /** Lets a caller that reloads the same folder skip parsing files that did not change. */
  cache?: ManifestCache;
  /** Lets that caller assemble the state from the last one when only some files changed. */
  assembly?: StateAssembly;
  limits?: ManifestLimits;
  /**
   * The entries changed since a load that left this baseline: when the paths are that one folder,
   * only those entries are looked at, unless a walk is needed to tell what they changed.
   */
  since?: { baseline: ListingBaseline; changed: ReadonlySet<string> };
}

/** Files read at once: enough to keep the thread pool busy, few enough for any descriptor limit. */
const CONCURRENT_READS = 16;

export async function loadManifestsAsync(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedManifests> {
  const limits = options.limits ?? DEFAULT_MANIFEST_LIMITS;
  const { since } = options;
  const updated = since && paths.length === 1 && paths[0] === since.baseline.folder ? await updateListing(since.baseline, since.changed, limits) : undefined;
  const listing = updated ?? (await listManifestFiles(paths, limits));
  // Unchanged files are taken from the cache at once; only the others wait for a read.
  const results = listing.files.map((file) => cached(file, options.cache));
  const unread = [];
  for (let i = 0; i < results.length; i++) if (!results[i]) unread.push(i);
  await mapConcurrent(unread, CONCURRENT_READS, async (i) => {
    const { path } = listing.files[i]!;
    results[i] = fromContent(path, await readManifestFile(path, limits), limits, options.cache);
  });
  return combine(paths, listing, results as FileResult[], options, !updated);
}

export function loadManifests(paths: readonly string[], options: LoadOptions = {}): LoadedManifests {
  const limits = options.limits ?? DEFAULT_MANIFEST_LIMITS;
  const listing = listManifestFilesSync(paths, limits);
  const results = listing.files.map((file) => cached(file, options.cache) ?? fromContent(file.path, readManifestFileSync(file.path, limits), limits, options.cache));
  return combine(paths, listing, results, options, true);
}

interface FileResult {
  path: string;
  /** The stamp the file was read at, which wins over the listed one; absent: as listed. */
  stamp?: string;
  parsed: Pick<ParsedManifest, 'objects' | 'problems' | 'failed'>;
}

function cached(file: ListedFile, cache: ManifestCache | undefined): FileResult | undefined {
  const hit = cache?.lookup(file.path, file.stamp);
  return hit && { path: file.path, parsed: hit };
}

function fromContent(path: string, content: FileContent, limits: ManifestLimits, cache: ManifestCache | undefined): FileResult {
  if ('refusal' in content) {
    const { severity, reason } = content.refusal;
    return { path, stamp: content.stamp, parsed: { objects: [], problems: [{ object: path, severity, message: reason }], failed: severity === 'error' } };
  }
  const result = parseManifestText(content.text, path, limits);
  cache?.store(path, content.stamp, result);
  return { path, stamp: content.stamp, parsed: result };
}

/** The listing is this load's own: its stamps become the load's, with the stamps files were read at. */
function combine(paths: readonly string[], listing: Listing, results: readonly FileResult[], options: LoadOptions, walked: boolean): LoadedManifests {
  const { cache } = options;
  // Every file listed is in the cache once read, so a larger cache holds files that are gone.
  if (cache && cache.size > listing.files.length) cache.retainOnly(new Set(listing.files.map((f) => f.path)));
  const { stamps } = listing;
  const fileProblems = [...listing.problems];
  let failed = false;
  let changing = false;
  for (const { path, stamp, parsed } of results) {
    if (stamp !== undefined) stamps.set(path, stamp);
    if (stamp === CHANGING) changing = true;
    if (parsed.failed) failed = true;
    for (const problem of parsed.problems) fileProblems.push(problem);
  }
  const { state, problems } = (options.assembly ?? new StateAssembly()).assemble(listing.problems, results);
  const updatable = paths.length === 1 && listing.problems.length === 0 && !listing.links && !changing;
  return {
    state,
    problems,
    unreadable: listing.unreadable || failed,
    fileProblems,
    stamps,
    changing,
    ...(updatable ? { baseline: { folder: paths[0]!, files: listing.files, stamps } } : {}),
    walked,
  };
}
