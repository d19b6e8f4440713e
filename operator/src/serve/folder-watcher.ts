// Tells when anything under a folder may have changed. fs.watch (recursive) gives low latency;
// a slow poll backs it up, because recursive watching has gaps on some file systems (network
// mounts, some container volumes) and a missed edit must not go unnoticed. The poll compares the
// folder's stamps (`look`: one stat per manifest entry, never an open, so a FIFO cannot block
// it, and asynchronous, so a large folder never holds up the event loop) with those of the last
// reload. A reload records what it read rather than the watcher walking the folder again before
// it: at 10,000 files that walk was a quarter of a second on every change.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { sameStamps } from '../sources/manifests/manifest-stamps.js';
import type { Stamps } from '../sources/manifests/manifest-stamps.js';

export interface FolderWatcherOptions {
  pollIntervalMs?: number;
}

/** The folder's stamps now: what a poll compares with the last reload's. */
export type LookAtFolder = () => Promise<Stamps>;

export class FolderWatcher {
  private watcher?: FSWatcher;
  private readonly poller: NodeJS.Timeout;
  private recorded: Stamps;
  /** Bumped when a reload starts and ends: a poll across either reports nothing. */
  private generation = 0;
  private reloading = false;
  private polling = false;

  constructor(
    folder: string,
    private readonly onChange: () => void,
    private readonly look: LookAtFolder,
    /** What the reload before the watcher started read. */
    recorded: Stamps,
    options: FolderWatcherOptions = {},
  ) {
    this.recorded = recorded;
    try {
      this.watcher = watch(folder, { recursive: true }, () => this.onChange());
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined; // polling alone still works
    }
    this.poller = setInterval(() => void this.poll(), options.pollIntervalMs ?? 2_000);
    this.poller.unref();
  }

  /** A reload is reading the folder: it sees whatever a poll meanwhile would report. */
  reloadStarted(): void {
    this.reloading = true;
    this.generation += 1;
  }

  /** What that reload read (or, when it read nothing, what the one before it read). */
  reloadEnded(read: Stamps): void {
    this.recorded = read;
    this.reloading = false;
    this.generation += 1;
  }

  close(): void {
    this.watcher?.close();
    clearInterval(this.poller);
  }

  private async poll(): Promise<void> {
    if (this.polling || this.reloading) return; // a slow file system: never stack polls up
    this.polling = true;
    try {
      const generation = this.generation;
      const now = await this.look();
      if (generation !== this.generation || sameStamps(this.recorded, now)) return;
      this.recorded = now;
      this.onChange();
    } finally {
      this.polling = false;
    }
  }
}
