// The asynchronous walk in a real folder of 2,000 files: how many stats it keeps in flight and
// how soon it stops when told to. The real fs.promises.stat does the work; the test wraps it to
// count the calls and those under way.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { listManifestFiles, listManifestFilesSync } from './list-manifest-files.js';
import { DEFAULT_MANIFEST_LIMITS } from './manifest-limits.js';

const stats = vi.hoisted(() => ({ asked: 0, underWay: 0, most: 0, onAsk: (): void => {}, hangs: 0, hanging: false }));
vi.mock('node:fs/promises', async (original) => {
  const real = await original<typeof FsPromises>();
  return {
    ...real,
    stat: async (...args: Parameters<typeof real.stat>) => {
      stats.asked += 1;
      stats.underWay += 1;
      stats.most = Math.max(stats.most, stats.underWay);
      stats.onAsk();
      // A dead network mount: the stat asked for `hangs`-th never returns.
      if (stats.asked === stats.hangs) {
        stats.hanging = true;
        await new Promise(() => {});
      }
      try {
        return await real.stat(...args);
      } finally {
        stats.underWay -= 1;
      }
    },
  };
});

const FILES = 2_000;
let dir = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'portico-walk-'));
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, `ingress-${i}.yaml`), 'kind: Ingress\n');
  mkdirSync(join(dir, 'team-a'));
  writeFileSync(join(dir, 'team-a', 'service.yaml'), 'kind: Service\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => Object.assign(stats, { asked: 0, underWay: 0, most: 0, onAsk: () => {}, hangs: 0, hanging: false }));

describe('listManifestFiles', () => {
  it('lists what the synchronous walk lists, with a few stats under way at a time, not every file at once', async () => {
    const listing = await listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS);
    expect(listing.files.map((f) => f.path)).toEqual(listManifestFilesSync([dir], DEFAULT_MANIFEST_LIMITS).files.map((f) => f.path));
    expect(listing.files).toHaveLength(FILES + 1);
    expect(stats.asked).toBe(FILES + 2); // the folder itself, its files, and the one below
    expect(stats.most).toBeGreaterThan(1);
    expect(stats.most).toBeLessThanOrEqual(32);
  });

  it('asks for no more stats once its signal is aborted, and rejects with its reason', async () => {
    const stop = new AbortController();
    stats.onAsk = () => {
      if (stats.asked === 100) stop.abort(new Error('a reload started'));
    };
    await expect(listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS, { signal: stop.signal })).rejects.toThrow('a reload started');
    // The 100th was asked for while up to 31 others were under way; nothing after.
    expect(stats.asked).toBe(100);
    stats.asked = 0;
    await expect(listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS, { signal: AbortSignal.abort() })).rejects.toThrow();
    expect(stats.asked).toBe(0);
  });

  it('rejects as soon as its signal is aborted, even with a stat under way that never returns', async () => {
    // The folder's own stat, the first: nothing else is under way to notice the signal.
    stats.hangs = 1;
    const stop = new AbortController();
    const walk = listManifestFiles([dir], DEFAULT_MANIFEST_LIMITS, { signal: stop.signal });
    await vi.waitFor(() => expect(stats.hanging).toBe(true));
    stop.abort(new Error('a reload started'));
    await expect(walk).rejects.toThrow('a reload started');
  });
});
