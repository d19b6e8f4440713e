// Tells when anything under a folder may have changed, and which entries. Native watches
// (TreeWatcher) name each changed entry at once, so a reload can look at those alone; a slow poll
// backs them up, because watching has gaps on some file systems (network mounts, some container
// volumes) and a missed edit must not go unnoticed. The poll compares the folder's stamps (`look`:
// one stat per manifest entry, never an open, so a FIFO cannot block it, and asynchronous, so a
// large folder never holds up the event loop) with those of the last reload, and when they differ
// the next reload walks everything. A walk costs about 200 ms at 10,000 files, so the poll waits
// twenty times as long as its last walk took (a twentieth of a core), at least the poll interval
// (2 s) and at most 10 s. While reloads come one after another (one ended within the poll
// interval), the poll waits for a quiet moment, up to 10 s since the last one: a walk in the
// middle of a reload is thrown away anyway (a poll across a reload reports nothing), and its
// stats share libuv's threads with the reload's reads. For the same reasons a reload that starts
// while the poll looks stops the look (its signal), rather than let it finish for nothing.
import { sameStamps } from '../sources/manifests/manifest-stamps.js';
import type { Stamps } from '../sources/manifests/manifest-stamps.js';
import { TreeWatcher } from './tree-watcher.js';

export interface FolderWatcherOptions {
  pollIntervalMs?: number;
  /** The longest a poll waits, for its cost or for a quiet moment (MAX_POLL_INTERVAL_MS). */
  maxPollIntervalMs?: number;
}

/** The folder's stamps now: what a poll compares with the last reload's. Stops when `signal` is aborted. */
export type LookAtFolder = (signal: AbortSignal) => Promise<Stamps>;

/** The paths of the entries that changed since the last reload started; undefined: maybe any. */
export type ChangedEntries = ReadonlySet<string> | undefined;

/** A poll waits at least this many times as long as its last walk took... */
const POLL_COST_FACTOR = 20;
/** ...but never longer than this: a walk made slow by a network mount must not stretch it to minutes. */
const MAX_POLL_INTERVAL_MS = 10_000;

export class FolderWatcher {
  private watcher?: TreeWatcher;
  private poller?: NodeJS.Timeout;
  private recorded: Stamps;
  /**
   * What changed since the last reload started; undefined when it may be anything. So it is at
   * first: the first reload has no listing to compare with.
   */
  private changed: Set<string> | undefined = undefined;
  /** Bumped when a reload starts and ends: a poll across either reports nothing. */
  private generation = 0;
  private reloading = false;
  /** When the last reload ended, and the last poll looked (performance.now()). */
  private reloadEndedAt = -Infinity;
  private polledAt = performance.now();
  /** The look under way: aborted when a reload starts or the watcher closes. */
  private looking?: AbortController;
  private closed = false;
  private readonly pollIntervalMs: number;
  private readonly maxPollIntervalMs: number;

  constructor(
    folder: string,
    private readonly onChange: () => void,
    private readonly look: LookAtFolder,
    /** What the reload before the watcher started read. */
    recorded: Stamps,
    options: FolderWatcherOptions = {},
  ) {
    this.recorded = recorded;
    this.pollIntervalMs = options.pollIntervalMs ?? 2_000;
    this.maxPollIntervalMs = options.maxPollIntervalMs ?? MAX_POLL_INTERVAL_MS;
    try {
      this.watcher = new TreeWatcher(folder, (path) => this.entryChanged(path));
    } catch {
      this.watcher = undefined; // polling alone still works
    }
    this.schedulePoll(this.pollIntervalMs);
  }

  /**
   * A reload is reading the folder: it sees whatever a poll meanwhile would report. Returns the
   * entries that changed since the last reload started (undefined: read everything); later
   * changes count for the next reload.
   */
  reloadStarted(): ChangedEntries {
    this.reloading = true;
    this.generation += 1;
    this.looking?.abort();
    const changed = this.changed;
    this.changed = new Set();
    return changed;
  }

  /** The entries named since the last reload started, so far (undefined: maybe any). */
  namedSinceReloadStarted(): ChangedEntries {
    return this.changed && new Set(this.changed);
  }

  /** What that reload read (or, when it read nothing, what the one before it read). */
  reloadEnded(read: Stamps): void {
    this.recorded = read;
    this.reloading = false;
    this.generation += 1;
    this.reloadEndedAt = performance.now();
  }

  close(): void {
    this.closed = true;
    this.looking?.abort();
    this.watcher?.close();
    clearTimeout(this.poller);
  }

  private entryChanged(path: string | undefined): void {
    if (path === undefined) this.changed = undefined;
    else this.changed?.add(path);
    this.onChange();
  }

  private schedulePoll(delayMs: number): void {
    if (this.closed) return;
    this.poller = setTimeout(() => void this.poll(), delayMs);
    this.poller.unref();
  }

  private async poll(): Promise<void> {
    const started = performance.now();
    const busy = started - this.reloadEndedAt < this.pollIntervalMs && started - this.polledAt < this.maxPollIntervalMs;
    if (this.reloading || busy) {
      this.schedulePoll(this.pollIntervalMs);
      return;
    }
    const generation = this.generation;
    // Polls never overlap: each schedules the next when it ends.
    const looking = new AbortController();
    this.looking = looking;
    try {
      const now = await this.look(looking.signal).catch((error: unknown) => {
        if (looking.signal.aborted) return undefined;
        throw error;
      });
      // A look across a reload is stopped or thrown away, and does not count as one: while
      // reloads keep coming, the next try (a poll interval on) looks again, whatever the quiet.
      if (now === undefined || generation !== this.generation) return;
      this.polledAt = started;
      if (sameStamps(this.recorded, now)) return;
      // Something changed that no watch reported: the next reload reads everything.
      this.recorded = now;
      this.changed = undefined;
      this.onChange();
    } finally {
      this.looking = undefined;
      const costly = Math.min(POLL_COST_FACTOR * (performance.now() - started), this.maxPollIntervalMs);
      this.schedulePoll(Math.max(this.pollIntervalMs, costly));
    }
  }
}
