// TLS material from a folder in cert-manager's (and kubernetes.io/tls Secrets') layout: tls.crt,
// tls.key, ca.crt. A mounted Secret is updated by the kubelet swapping a symlink, which fs.watch
// does not always report, so the folder is also read every pollMs and a change is taken when the
// three files read back differ from what is in use. A half-written set (a key that does not match
// its certificate) is skipped until it is complete: the listener refuses it and keeps the old one.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TlsMaterial, TlsSource } from './tls-material.js';

export const TLS_FILES = { cert: 'tls.crt', key: 'tls.key', ca: 'ca.crt' } as const;

export class FileTlsSource implements TlsSource {
  private material: TlsMaterial;
  private readonly listeners = new Set<(material: TlsMaterial) => void>();
  private readonly timer: NodeJS.Timeout;
  private watcher?: FSWatcher;

  constructor(
    private readonly dir: string,
    pollMs = 10_000,
  ) {
    this.material = readTlsFolder(dir);
    this.timer = setInterval(() => this.check(), pollMs);
    this.timer.unref();
    try {
      this.watcher = watch(dir, () => this.check());
      this.watcher.on('error', () => undefined);
    } catch {
      // Polling alone still picks up changes.
    }
  }

  current(): TlsMaterial {
    return this.material;
  }

  onChange(listener: (material: TlsMaterial) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    clearInterval(this.timer);
    this.watcher?.close();
  }

  /** Reads the folder again now; also what the watch and the poll do. */
  check(): void {
    let next: TlsMaterial;
    try {
      next = readTlsFolder(this.dir);
    } catch {
      return; // mid-swap: a file is missing for a moment
    }
    if (next.cert === this.material.cert && next.key === this.material.key && next.ca === this.material.ca) return;
    this.material = next;
    for (const listener of this.listeners) listener(next);
  }
}

export function readTlsFolder(dir: string): TlsMaterial {
  const read = (name: string): string => {
    try {
      return readFileSync(join(dir, name), 'utf8');
    } catch (error) {
      throw new Error(`xDS TLS: cannot read ${join(dir, name)} (${(error as NodeJS.ErrnoException).code ?? String(error)}); the folder needs ${Object.values(TLS_FILES).join(', ')}`);
    }
  };
  return { cert: read(TLS_FILES.cert), key: read(TLS_FILES.key), ca: read(TLS_FILES.ca) };
}
