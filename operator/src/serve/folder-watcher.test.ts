import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FolderWatcher, folderFingerprint } from './folder-watcher.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-watch-'));
  dirs.push(dir);
  return dir;
}

describe('FolderWatcher', () => {
  it('notices edits in nested folders', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'team-a'));
    let changes = 0;
    const watcher = new FolderWatcher(dir, () => changes++, { pollIntervalMs: 60_000 });
    writeFileSync(join(dir, 'team-a', 'ingress.yaml'), 'kind: Ingress\n');
    await new Promise((resolve) => setTimeout(resolve, 200));
    watcher.close();
    expect(changes).toBeGreaterThan(0);
  });

  it('fingerprints names, sizes and mtimes, so polling catches what events miss', () => {
    const dir = folder();
    const empty = folderFingerprint(dir);
    writeFileSync(join(dir, 'a.yaml'), 'x');
    const one = folderFingerprint(dir);
    expect(one).not.toBe(empty);
    writeFileSync(join(dir, 'a.yaml'), 'xy');
    expect(folderFingerprint(dir)).not.toBe(one);
    expect(folderFingerprint(join(dir, 'missing'))).toBe('');
  });
});
