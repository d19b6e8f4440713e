// The same object in several files: resolved by path order, never by the order the file system
// lists a folder in or the order paths were given. readdir is made to answer in reverse here.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as fs from 'node:fs';
import type * as fsPromises from 'node:fs/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadManifests, loadManifestsAsync } from './load-manifests.js';

const order = vi.hoisted(() => ({ reversed: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof fsPromises>();
  const readdir = async (...args: Parameters<typeof actual.readdir>): Promise<unknown> => {
    const entries = (await actual.readdir(...args)) as unknown[];
    return order.reversed ? [...entries].reverse() : entries;
  };
  return { ...actual, default: { ...actual, readdir }, readdir };
});

vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof fs>();
  const readdirSync = (...args: Parameters<typeof actual.readdirSync>): unknown => {
    const entries = actual.readdirSync(...args) as unknown[];
    return order.reversed ? [...entries].reverse() : entries;
  };
  return { ...actual, default: { ...actual, readdirSync }, readdirSync };
});

const service = (port: number, name = 'dup', namespace = 'default'): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec: {ports: [{port: ${port}}]}\n`;

const dir = mkdtempSync(join(tmpdir(), 'portico-order-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, 'b'));
writeFileSync(join(dir, 'z.yaml'), service(3));
writeFileSync(join(dir, 'b', 'x.yaml'), `${service(2)}---\n${service(20, 'other')}`);
// Named without its namespace: still the same object as default/dup.
writeFileSync(join(dir, 'a.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: dup}\nspec: {ports: [{port: 1}]}\n');

const ports = (loaded: Awaited<ReturnType<typeof loadManifestsAsync>>): unknown => loaded.state.services.map((s) => [s.metadata?.name, s.spec?.ports?.[0]?.port]);

describe('the same object defined in several files', () => {
  it('uses the definition in the file whose path sorts first, and names both files for every other copy', async () => {
    const loaded = await loadManifestsAsync([dir]);
    expect(ports(loaded)).toEqual([['dup', 1], ['other', 20]]);
    const rule = 'which is used (the first definition in path order wins); this copy is ignored';
    expect(loaded.problems).toEqual([
      { object: `${join(dir, 'b', 'x.yaml')} (document 1)`, severity: 'error', message: `Service default/dup is also defined in ${join(dir, 'a.yaml')}, ${rule}` },
      { object: join(dir, 'z.yaml'), severity: 'error', message: `Service default/dup is also defined in ${join(dir, 'a.yaml')}, ${rule}` },
    ]);
    // A duplicate is a problem with an object, not an unreadable folder: the rest still applies.
    expect(loaded.unreadable).toBe(false);
  });

  it('loads the same state and problems whatever order readdir returns', async () => {
    order.reversed = false;
    const natural = await loadManifestsAsync([dir]);
    const naturalSync = loadManifests([dir]);
    const listed = await readdir(dir);
    order.reversed = true;
    try {
      // The loaders really see another order.
      expect(await readdir(dir)).toEqual([...listed].reverse());
      expect(readdirSync(dir)).toEqual([...listed].reverse());
      expect(await loadManifestsAsync([dir])).toEqual(natural);
      expect(loadManifests([dir])).toEqual(naturalSync);
    } finally {
      order.reversed = false;
    }
    expect(naturalSync).toEqual(natural);
  });

  it('loads the same whatever order paths are given in, and reads a file named twice once', async () => {
    const forward = await loadManifestsAsync([join(dir, 'a.yaml'), join(dir, 'z.yaml')]);
    const backward = await loadManifestsAsync([join(dir, 'z.yaml'), join(dir, 'a.yaml'), join(dir, 'z.yaml')]);
    expect(backward).toEqual(forward);
    expect(ports(forward)).toEqual([['dup', 1]]);
  });
});
