import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { listManifestFiles } from '../sources/manifests/list-manifest-files.js';
import { DEFAULT_MANIFEST_LIMITS } from '../sources/manifests/manifest-limits.js';
import type { Stamps } from '../sources/manifests/manifest-stamps.js';
import { FolderWatcher } from './folder-watcher.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-watch-'));
  dirs.push(dir);
  return dir;
}

/** What standalone mode polls with: the listing's stamps. Counts its walks. */
function looker(dir: string): { look: () => Promise<Stamps>; walks: () => number } {
  let walks = 0;
  return {
    look: async () => {
      walks += 1;
      return (await listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS)).stamps;
    },
    walks: () => walks,
  };
}

/** A watcher with only its poll: the fs.watch half closed. */
function pollingOnly(watcher: FolderWatcher): FolderWatcher {
  (watcher as unknown as { watcher?: { close(): void } }).watcher?.close();
  return watcher;
}

describe('FolderWatcher', () => {
  it('notices edits in nested folders', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'team-a'));
    let changes = 0;
    const { look } = looker(dir);
    const watcher = new FolderWatcher(dir, () => changes++, look, await look(), { pollIntervalMs: 60_000 });
    writeFileSync(join(dir, 'team-a', 'ingress.yaml'), 'kind: Ingress\n');
    await sleep(200);
    watcher.close();
    expect(changes).toBeGreaterThan(0);
  });

  it('gives each reload the paths named since the last one started; everything at first, and after a poll found a change', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    const { look } = looker(dir);
    const watcher = new FolderWatcher(dir, () => {}, look, await look(), { pollIntervalMs: 100 });
    // The first reload reads everything: it cannot know what changed before the watcher started.
    expect(watcher.reloadStarted()).toBeUndefined();
    watcher.reloadEnded(await look());
    writeFileSync(join(dir, 'b.yaml'), 'new');
    await sleep(50);
    expect(watcher.reloadStarted()).toEqual(new Set([join(dir, 'b.yaml')]));
    watcher.reloadEnded(await look());
    expect(watcher.reloadStarted()).toEqual(new Set());
    watcher.reloadEnded(await look());
    // A change no watch saw: the poll finds it, and the next reload walks.
    (watcher as unknown as { watcher?: { close(): void } }).watcher?.close();
    writeFileSync(join(dir, 'a.yaml'), 'edited');
    await sleep(300);
    expect(watcher.reloadStarted()).toBeUndefined();
    watcher.close();
  });

  it('polls without fs.watch events and reports a change once', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    let changes = 0;
    const { look } = looker(dir);
    const watcher = pollingOnly(new FolderWatcher(dir, () => changes++, look, await look(), { pollIntervalMs: 50 }));
    await sleep(150);
    expect(changes).toBe(0);
    writeFileSync(join(dir, 'a.yaml'), 'xy');
    await sleep(300);
    expect(changes).toBe(1);
    writeFileSync(join(dir, 'b.yaml'), 'new file');
    await sleep(300);
    watcher.close();
    expect(changes).toBe(2);
  });

  it('compares the folder with what the last reload read, and does not poll while a reload reads', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    let changes = 0;
    const { look, walks } = looker(dir);
    const watcher = pollingOnly(new FolderWatcher(dir, () => changes++, look, await look(), { pollIntervalMs: 30 }));
    watcher.reloadStarted();
    writeFileSync(join(dir, 'a.yaml'), 'xyz');
    const before = walks();
    await sleep(200);
    expect(walks()).toBe(before);
    // The reload read the edited file: the polls after it find nothing to report. (Waited for,
    // not slept: a poll's next try is put off by a multiple of its walk's time, which a loaded
    // machine stretches.)
    watcher.reloadEnded(await look());
    await vi.waitFor(() => expect(walks()).toBeGreaterThan(before), { timeout: 5_000, interval: 10 });
    expect(changes).toBe(0);
    // A reload that read the folder before this edit: the poll reports it.
    watcher.reloadStarted();
    const readByReload = await look();
    writeFileSync(join(dir, 'a.yaml'), 'edited after the read');
    watcher.reloadEnded(readByReload);
    await vi.waitFor(() => expect(changes).toBe(1), { timeout: 5_000, interval: 10 });
    watcher.close();
  });

  it('waits for a quiet moment while reloads come one after another, but never longer than its longest interval', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    const { look, walks } = looker(dir);
    const initial = await look();
    const watcher = pollingOnly(new FolderWatcher(dir, () => {}, look, initial, { pollIntervalMs: 400, maxPollIntervalMs: 2_500 }));
    const reloadEvery20ms = async (forMs: number): Promise<void> => {
      const until = performance.now() + forMs;
      while (performance.now() < until) {
        watcher.reloadStarted();
        watcher.reloadEnded(initial);
        await sleep(20);
      }
    };
    const before = walks();
    await reloadEvery20ms(1_500);
    expect(walks()).toBe(before);
    // Reloads that never stop: it looks once its longest interval has passed since it last did.
    await reloadEvery20ms(1_800);
    expect(walks()).toBeGreaterThan(before);
    const busy = walks();
    // Quiet: back to every poll interval.
    await sleep(2_000);
    watcher.close();
    expect(walks()).toBeGreaterThan(busy + 1);
  });

  it('tries again a poll interval on when a look it forced through busy reloads was thrown away', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    const initial = (await listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS)).stamps;
    const started: number[] = [];
    // Every look is crossed by a reload, so every look is thrown away.
    let reload = (): void => {};
    const look = async (): Promise<Stamps> => {
      started.push(performance.now());
      reload();
      return initial;
    };
    const watcher = pollingOnly(new FolderWatcher(dir, () => {}, look, initial, { pollIntervalMs: 100, maxPollIntervalMs: 600 }));
    reload = () => {
      watcher.reloadStarted();
      watcher.reloadEnded(initial);
    };
    const until = performance.now() + 1_500;
    while (performance.now() < until) {
      reload();
      await sleep(20);
    }
    watcher.close();
    // Forced once 600 ms had passed, thrown away, and forced again about every 100 ms, not only
    // 600 ms after the one thrown away (which would make two looks in all).
    expect(started.length).toBeGreaterThanOrEqual(5);
  });

  it('stops the look under way when a reload starts or the watcher closes, and looks again later', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    const initial = (await listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS)).stamps;
    const signals: AbortSignal[] = [];
    // A slow file system: a look ends only when it is stopped.
    const look = (signal: AbortSignal): Promise<Stamps> => {
      signals.push(signal);
      return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    };
    let changes = 0;
    // The next try waits twenty times as long as the stopped look took, at most 300 ms here.
    const watcher = pollingOnly(new FolderWatcher(dir, () => changes++, look, initial, { pollIntervalMs: 30, maxPollIntervalMs: 300 }));
    await vi.waitFor(() => expect(signals).toHaveLength(1));
    expect(signals[0]?.aborted).toBe(false);
    watcher.reloadStarted();
    expect(signals[0]?.aborted).toBe(true);
    watcher.reloadEnded(initial);
    await vi.waitFor(() => expect(signals.length).toBeGreaterThan(1), { timeout: 5_000 });
    watcher.close();
    expect(signals.every((signal) => signal.aborted)).toBe(true);
    expect(changes).toBe(0);
  });

  it('reports nothing from a poll that a reload started or ended during', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    let changes = 0;
    const initial = (await listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS)).stamps;
    let releaseLook: () => void = () => {};
    // A slow file system: the poll's walk waits until the test lets it finish.
    const look = async (): Promise<Stamps> => {
      await new Promise<void>((resolve) => (releaseLook = resolve));
      return (await listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS)).stamps;
    };
    const watcher = pollingOnly(new FolderWatcher(dir, () => changes++, look, initial, { pollIntervalMs: 20 }));
    await sleep(50); // a poll is now waiting in look()
    writeFileSync(join(dir, 'a.yaml'), 'xy');
    watcher.reloadStarted();
    watcher.reloadEnded(initial); // a reload that read the folder before the edit ended meanwhile
    releaseLook();
    await sleep(10);
    expect(changes).toBe(0);
    // The next poll, across no reload, reports it. It comes twenty times the last walk's
    // duration later: the walk took the 50 ms the test held it.
    await sleep(1_500);
    releaseLook();
    await sleep(50);
    watcher.close();
    expect(changes).toBe(1);
  });
});
