import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadManifests } from './load-manifests.js';
import { ManifestCache } from './manifest-cache.js';

const service = (name: string, port: number): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: ${port}}]}\n`;

describe('loadManifests with a ManifestCache', () => {
  it('sees edits, additions and deletions exactly as an uncached load does', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-cache-'));
    const cache = new ManifestCache();
    const ports = (): unknown => loadManifests([dir], cache).state.services.map((s) => [s.metadata?.name, s.spec?.ports?.[0]?.port]);
    writeFileSync(join(dir, 'a.yaml'), service('a', 80));
    writeFileSync(join(dir, 'b.yaml'), service('b', 81));
    expect(ports()).toEqual([['a', 80], ['b', 81]]);
    // A different size guarantees a new stamp even within one mtime tick.
    writeFileSync(join(dir, 'a.yaml'), service('a', 8080));
    expect(ports()).toEqual([['a', 8080], ['b', 81]]);
    rmSync(join(dir, 'b.yaml'));
    writeFileSync(join(dir, 'c.yaml'), service('c', 82));
    expect(ports()).toEqual([['a', 8080], ['c', 82]]);
    expect(loadManifests([dir]).state).toEqual(loadManifests([dir], cache).state);
  });

  it('does not parse an unchanged file again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'portico-cache-'));
    writeFileSync(join(dir, 'a.yaml'), service('a', 80));
    const cache = new ManifestCache();
    let parses = 0;
    const stats = { ino: 1, size: 10, mtimeMs: 5, ctimeMs: 5 } as Parameters<ManifestCache['get']>[1];
    const parse = (): { documents: unknown[] } => {
      parses++;
      return { documents: [] };
    };
    cache.get(join(dir, 'a.yaml'), stats, parse);
    cache.get(join(dir, 'a.yaml'), stats, parse);
    cache.get(join(dir, 'a.yaml'), { ...stats, size: 11 } as Parameters<ManifestCache['get']>[1], parse);
    expect(parses).toBe(2);
  });
});
