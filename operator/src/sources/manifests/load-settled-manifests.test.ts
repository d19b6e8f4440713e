// Loads wait until files stop changing: real files rewritten in steps while a load is waiting.
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSettledManifests } from './load-settled-manifests.js';
import { ManifestCache } from './manifest-cache.js';

const service = (name: string, port = 80): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: ${port}}]}\n`;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-settle-'));
  dirs.push(dir);
  return dir;
}

const names = (load: Awaited<ReturnType<typeof loadSettledManifests>>): unknown => load?.loaded.state.services.map((s) => s.metadata?.name);

describe('loadSettledManifests', () => {
  it('resolves one quiet period after reading a folder that does not change', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), service('a'));
    const load = await loadSettledManifests([dir], { quietMs: 150 });
    expect(names(load)).toEqual(['a']);
    expect(load?.waitedMs).toBeGreaterThanOrEqual(150);
    expect(load?.loadMs).toBeLessThan(load?.waitedMs ?? 0);
  });

  it('never returns a file caught truncated: rewritten within the quiet period, the rewrite is what loads', async () => {
    const dir = folder();
    const file = join(dir, 'services.yaml');
    writeFileSync(file, `${service('a')}---\n${service('b')}`);
    truncateSync(file, 0);
    const loading = loadSettledManifests([dir], { quietMs: 300, cache: new ManifestCache() });
    await sleep(100);
    writeFileSync(file, `${service('a')}---\n${service('b')}`);
    const load = await loading;
    expect(names(load)).toEqual(['a', 'b']);
    expect(load?.waitedMs).toBeGreaterThanOrEqual(400);
  });

  it('keeps waiting while a file keeps changing, says so once, and loads once it stops', async () => {
    const dir = folder();
    const file = join(dir, 'busy.yaml');
    writeFileSync(file, service('busy', 1));
    const reports: string[][] = [];
    const loading = loadSettledManifests([dir], { quietMs: 200, reportAfterMs: 500, onUnsettled: (files) => reports.push(files) });
    for (let port = 2; port < 30; port++) {
      await sleep(40);
      writeFileSync(file, service('busy', port * 1000));
    }
    const load = await loading;
    expect(reports).toEqual([[file]]);
    expect(load?.loaded.state.services[0]?.spec?.ports?.[0]?.port).toBe(29_000);
  });

  it('with a watcher naming what changed, looks after the quiet period at the named entries alone', async () => {
    const dir = folder();
    const [named, unnamed] = [join(dir, 'named.yaml'), join(dir, 'unnamed.yaml')];
    writeFileSync(named, service('named', 1));
    writeFileSync(unnamed, service('unnamed', 1));
    const names = new Set<string>();
    const loading = loadSettledManifests([dir], { quietMs: 150, namedSince: () => names });
    await sleep(50);
    // A change the watcher did not name is not looked for: no walk.
    writeFileSync(unnamed, service('unnamed', 2));
    const first = await loading;
    expect(first?.loaded.state.services.map((s) => s.spec?.ports?.[0]?.port)).toEqual([1, 1]);
    // A named one is, and the folder is read again until it settles.
    const again = loadSettledManifests([dir], { quietMs: 150, namedSince: () => names });
    await sleep(50);
    writeFileSync(named, service('named', 3));
    names.add(named);
    const second = await again;
    expect(second?.loaded.state.services.map((s) => s.spec?.ports?.[0]?.port)).toEqual([3, 2]);
    expect(second?.waitedMs).toBeGreaterThanOrEqual(300);
  });

  it('gives up waiting when aborted', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), service('a'));
    const stop = new AbortController();
    const loading = loadSettledManifests([dir], { quietMs: 10_000, signal: stop.signal });
    await sleep(50);
    stop.abort();
    expect(await loading).toBeUndefined();
  });
});
