// Tells when anything under a folder may have changed. fs.watch (recursive) gives low latency;
// a slow poll of names, sizes and mtimes backs it up, because recursive watching has gaps on some
// file systems (network mounts, some container volumes) and a missed edit must not go unnoticed.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface FolderWatcherOptions {
  pollIntervalMs?: number;
}

export class FolderWatcher {
  private watcher?: FSWatcher;
  private poller?: NodeJS.Timeout;
  private fingerprint: string;

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
    this.poller = setInterval(() => this.poll(), options.pollIntervalMs ?? 2_000);
    this.poller.unref();
  }

  /**
   * Records the folder as it is now. Called just before each reload, so the poller does not
   * report again a change that the reload is about to read anyway.
   */
  resync(): void {
    this.fingerprint = folderFingerprint(this.folder);
  }

  close(): void {
    this.watcher?.close();
    clearInterval(this.poller);
  }

  private poll(): void {
    const next = folderFingerprint(this.folder);
    if (next === this.fingerprint) return;
    this.fingerprint = next;
    this.onChange();
  }
}

/** Names, sizes and modification times of everything under `folder` (missing folder: ''). */
export function folderFingerprint(folder: string): string {
  const parts: string[] = [];
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else {
        try {
          const stats = statSync(path);
          parts.push(`${path}:${stats.size}:${stats.mtimeMs}`);
        } catch {
          parts.push(`${path}:gone`);
        }
      }
    }
  };
  walk(folder);
  return parts.join('\n');
}
