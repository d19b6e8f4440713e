// Tells when anything under a folder may have changed. fs.watch (recursive) gives low latency;
// a slow poll of names, sizes and mtimes backs it up, because recursive watching has gaps on some
// file systems (network mounts, some container volumes) and a missed edit must not go unnoticed.
// The poll only stats (never opens, so a FIFO cannot block it) and is asynchronous, so a large
// folder never holds up the event loop.
import { watch } from 'node:fs';
import type { Dirent, FSWatcher } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { compareStrings } from '../util/compare.js';

export interface FolderWatcherOptions {
  pollIntervalMs?: number;
}

export class FolderWatcher {
  private watcher?: FSWatcher;
  private readonly poller: NodeJS.Timeout;
  /** The folder as last recorded; a promise while that recording is under way. */
  private fingerprint: Promise<string>;
  private polling = false;

  constructor(
    private readonly folder: string,
    private readonly onChange: () => void,
    options: FolderWatcherOptions = {},
  ) {
    this.fingerprint = folderFingerprint(folder);
    try {
      this.watcher = watch(folder, { recursive: true }, () => this.onChange());
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      this.watcher = undefined; // polling alone still works
    }
    this.poller = setInterval(() => void this.poll(), options.pollIntervalMs ?? 2_000);
    this.poller.unref();
  }

  /**
   * Records the folder as it is now. Called just before each reload, so the poller does not
   * report again a change that the reload is about to read anyway.
   */
  async resync(): Promise<void> {
    this.fingerprint = folderFingerprint(this.folder);
    await this.fingerprint;
  }

  close(): void {
    this.watcher?.close();
    clearInterval(this.poller);
  }

  private async poll(): Promise<void> {
    if (this.polling) return; // a slow file system: never stack polls up
    this.polling = true;
    try {
      const recorded = this.fingerprint;
      const [before, now] = await Promise.all([recorded, folderFingerprint(this.folder)]);
      // A resync meanwhile means a reload is reading the folder; it sees this change.
      if (this.fingerprint !== recorded || now === before) return;
      this.fingerprint = Promise.resolve(now);
      this.onChange();
    } finally {
      this.polling = false;
    }
  }
}

/** Names, sizes and modification times of everything under `folder` (missing folder: ''). */
export async function folderFingerprint(folder: string): Promise<string> {
  const parts: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => compareStrings(a.name, b.name));
    const described = await Promise.all(
      entries.map(async (entry): Promise<{ folder: string } | { part: string }> => {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) return { folder: path };
        // Links followed: a Kubernetes volume swaps its files by relinking, not by editing them.
        const stats = await stat(path).catch(() => undefined);
        return { part: stats ? `${path}:${stats.size}:${stats.mtimeMs}` : `${path}:gone` };
      }),
    );
    for (const entry of described) {
      if ('folder' in entry) await walk(entry.folder);
      else parts.push(entry.part);
    }
  };
  await walk(folder);
  return parts.join('\n');
}
