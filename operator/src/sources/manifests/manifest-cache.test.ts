import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests, loadManifestsAsync } from './load-manifests.js';
import { ManifestCache } from './manifest-cache.js';

const service = (name: string, port: number): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: ${port}}]}\n`;

describe('loading with a ManifestCache', () => {
  it('sees edits, additions and deletions exactly as an uncached load does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-cache-'));
    const cache = new ManifestCache();
    const ports = async (): Promise<unknown> => (await loadManifestsAsync([dir], { cache })).state.services.map((s) => [s.metadata?.name, s.spec?.ports?.[0]?.port]);
    writeFileSync(join(dir, 'a.yaml'), service('a', 80));
    writeFileSync(join(dir, 'b.yaml'), service('b', 81));
    expect(await ports()).toEqual([['a', 80], ['b', 81]]);
    // A different size guarantees a new stamp even within one mtime tick.
    writeFileSync(join(dir, 'a.yaml'), service('a', 8080));
    expect(await ports()).toEqual([['a', 8080], ['b', 81]]);
    rmSync(join(dir, 'b.yaml'));
    writeFileSync(join(dir, 'c.yaml'), service('c', 82));
    expect(await ports()).toEqual([['a', 8080], ['c', 82]]);
    expect(loadManifests([dir]).state).toEqual((await loadManifestsAsync([dir], { cache })).state);
    rmSync(dir, { recursive: true, force: true });
  });

  it('hands back the very same parse while the stamp is unchanged, and forgets everything on clear()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-cache-'));
    writeFileSync(join(dir, 'a.yaml'), service('a', 80));
    const cache = new ManifestCache();
    const first = (await loadManifestsAsync([dir], { cache })).state.services[0];
    const again = (await loadManifestsAsync([dir], { cache })).state.services[0];
    // Same raw document, so the store reuses its typed conversion: the same object.
    expect(again).toBe(first);
    cache.clear();
    const reread = (await loadManifestsAsync([dir], { cache })).state.services[0];
    expect(reread).not.toBe(first);
    expect(reread).toEqual(first);
    rmSync(dir, { recursive: true, force: true });
  });
});
