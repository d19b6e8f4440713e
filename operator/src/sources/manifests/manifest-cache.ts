// Standalone mode reloads the whole folder after every edit; parsing thousands of unchanged files
// again would dominate the reload (YAML parsing is the slowest step). Parsed documents are kept per
// file and reused while the file's stamp (identity, size and times) is unchanged. Handing back the
// very same objects also lets the store reuse their typed conversions.
import type { ParsedManifest } from './parse-manifest-text.js';

export class ManifestCache {
  private readonly entries = new Map<string, { stamp: string; parsed: ParsedManifest }>();

  lookup(path: string, stamp: string): ParsedManifest | undefined {
    const cached = this.entries.get(path);
    return cached?.stamp === stamp ? cached.parsed : undefined;
  }

  store(path: string, stamp: string, parsed: ParsedManifest): void {
    this.entries.set(path, { stamp, parsed });
  }

  get size(): number {
    return this.entries.size;
  }

  /** Drops files that are no longer part of the folder. */
  retainOnly(paths: ReadonlySet<string>): void {
    for (const path of this.entries.keys()) if (!paths.has(path)) this.entries.delete(path);
  }

  /** Forgets everything: the next load reads every file (a reload asked for by SIGHUP). */
  clear(): void {
    this.entries.clear();
  }
}
