import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
    await sleep(200);
    watcher.close();
    expect(changes).toBeGreaterThan(0);
  });

  it('polls without fs.watch events, once per change, and a resync swallows a change a reload reads', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    let changes = 0;
    const watcher = new FolderWatcher(dir, () => changes++, { pollIntervalMs: 50 });
    // Closing the fs.watch half leaves the poller alone.
    (watcher as unknown as { watcher?: { close(): void } }).watcher?.close();
    await sleep(100);
    writeFileSync(join(dir, 'a.yaml'), 'xy');
    await sleep(300);
    expect(changes).toBe(1);
    writeFileSync(join(dir, 'a.yaml'), 'xyz');
    await watcher.resync();
    await sleep(300);
    watcher.close();
    expect(changes).toBe(1);
  });

  it('fingerprints names, sizes and mtimes, so polling catches what events miss; a FIFO is only stat-ed', async () => {
    const dir = folder();
    const empty = await folderFingerprint(dir);
    writeFileSync(join(dir, 'a.yaml'), 'x');
    const one = await folderFingerprint(dir);
    expect(one).not.toBe(empty);
    writeFileSync(join(dir, 'a.yaml'), 'xy');
    expect(await folderFingerprint(dir)).not.toBe(one);
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    expect(await folderFingerprint(dir)).toContain(join(dir, 'fifo.yaml'));
    expect(await folderFingerprint(join(dir, 'missing'))).toBe('');
  });
});
