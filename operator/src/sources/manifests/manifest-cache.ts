// Standalone mode reloads the whole folder after every edit; parsing thousands of unchanged files
// again would dominate the reload (YAML parsing is the slowest step). Parsed documents are kept per
// file and reused while the file's identity, size and times are unchanged.
import type { Stats } from 'node:fs';

export type ParsedFile = { documents: unknown[] } | { error: string };

export class ManifestCache {
  private readonly entries = new Map<string, { stamp: string; parsed: ParsedFile }>();

  get(path: string, stats: Stats, parse: () => ParsedFile): ParsedFile {
    const stamp = `${stats.ino}:${stats.size}:${stats.mtimeMs}:${stats.ctimeMs}`;
    const cached = this.entries.get(path);
    if (cached?.stamp === stamp) return cached.parsed;
    const parsed = parse();
    this.entries.set(path, { stamp, parsed });
    return parsed;
  }

  /** Drops files that are no longer part of the folder. */
  retainOnly(paths: ReadonlySet<string>): void {
    for (const path of this.entries.keys()) if (!paths.has(path)) this.entries.delete(path);
  }
}
