// A load that updates the last listing with the entries named as changed equals a load that walks
// the folder, after every step of random histories of a real folder: files edited in place,
// renamed into place, added and removed; hidden and other non-manifest files; folders made and
// removed; links to files and to folders; files over the limits. Each step names only what a watch
// of the folders would at least name: the entry itself, or for a folder only the folder.
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../xds-server/src/test-support/seeded-random.js';
import { loadManifestsAsync } from './load-manifests.js';
import type { LoadedManifests } from './load-manifests.js';
import type { ManifestLimits } from './manifest-limits.js';
import { ManifestCache } from './manifest-cache.js';
import { StateAssembly } from './state-assembly.js';

const LIMITS: ManifestLimits = { maxFileBytes: 400, maxTotalBytes: 2_000, maxAliasCount: 10 };
const FOLDERS = ['', 'team-a', 'team-a/deep', 'team-b', '.hidden'];
const NAMES = ['a.yaml', 'b.yml', 'c.json', 'd.yaml', 'notes.txt', '.swap.yaml'];

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function service(name: string, port: number, padding = 0): string {
  return `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {ports: [{port: ${port}}]}\n# ${'x'.repeat(padding)}\n`;
}

/** What must be equal: the state, every problem, and the stamps as read (in any order: nothing depends on it). */
function comparable(loaded: LoadedManifests): unknown {
  return { state: loaded.state, problems: loaded.problems, fileProblems: loaded.fileProblems, unreadable: loaded.unreadable, stamps: [...loaded.stamps].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
}

async function history(seed: number, steps: number): Promise<{ updated: number; walked: number }> {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const chance = (p: number): boolean => random() < p;
  const root = mkdtempSync(join(tmpdir(), 'portico-listing-'));
  const staging = mkdtempSync(join(tmpdir(), 'portico-staging-'));
  roots.push(root, staging);
  for (const folder of FOLDERS) mkdirSync(join(root, folder), { recursive: true });
  let port = 1;
  const content = (): string => service(`s${Math.floor(random() * 8)}`, port++, chance(0.02) ? 500 : Math.floor(random() * 100));

  const cache = new ManifestCache();
  const assembly = new StateAssembly();
  let last = await loadManifestsAsync([root], { cache, assembly, limits: LIMITS });
  const counts = { updated: 0, walked: 0 };
  for (let step = 0; step < steps; step++) {
    const changed = new Set<string>();
    // Now and then whatever the update leaves to a walk is cleared away, as a user fixing it would.
    if (chance(0.1)) {
      for (const path of troubles(root)) {
        rmSync(path, { recursive: true, force: true });
        changed.add(path);
      }
    }
    const edits = chance(0.1) ? 2 + Math.floor(random() * 4) : 1;
    for (let e = 0; e < edits; e++) {
      const folder = join(root, pick(FOLDERS));
      const path = join(folder, pick(NAMES));
      const roll = random();
      try {
        if (roll < 0.5) writeFileSync(path, content());
        else if (roll < 0.65) {
          const made = join(staging, 'next');
          writeFileSync(made, content());
          renameSync(made, path);
        } else if (roll < 0.8) rmSync(path, { recursive: true, force: true });
        else if (roll < 0.89) {
          // A folder comes or goes, files and all, or a file takes its place: only the folder is named.
          const sub = join(root, pick(['', 'team-a']), pick(['made', 'made.yaml']));
          const how = random();
          rmSync(sub, { recursive: true, force: true });
          if (how < 0.3) writeFileSync(sub, content());
          else if (how < 0.8) {
            mkdirSync(sub);
            writeFileSync(join(sub, 'inside.yaml'), content());
          }
          changed.add(sub);
          continue;
        } else if (roll < 0.93) {
          rmSync(path, { recursive: true, force: true });
          symlinkSync(chance(0.7) ? join(root, 'team-b', 'a.yaml') : join(root, 'team-a'), path);
        } else if (roll < 0.95) {
          rmSync(path, { recursive: true, force: true });
          mkdirSync(path); // a folder with a manifest's name
        } else continue; // nothing changed, nothing named
      } catch {
        // Writing through a path whose folder is a file or a dangling link: nothing changed.
      }
      changed.add(path);
    }
    const updated = await loadManifestsAsync([root], { cache, assembly, limits: LIMITS, ...(last.baseline ? { since: { baseline: last.baseline, changed } } : {}) });
    const walked = await loadManifestsAsync([root], { limits: LIMITS });
    expect(comparable(updated), `seed ${seed} step ${step}: ${[...changed].join(', ')}`).toEqual(comparable(walked));
    if (updated.walked) counts.walked += 1;
    else counts.updated += 1;
    last = updated;
  }
  expect(readdirSync(root).length).toBeGreaterThan(0);
  return counts;
}

/** Links, folders with a manifest's name and files over the size limit. */
function troubles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isSymbolicLink() || (entry.isDirectory() && entry.name.includes('.'))) return [path];
    if (entry.isDirectory()) return troubles(path);
    return lstatSync(path).size > LIMITS.maxFileBytes ? [path] : [];
  });
}

describe('updateListing', () => {
  it('is not used while a link is listed: editing its target elsewhere changes the link', async () => {
    const root = mkdtempSync(join(tmpdir(), 'portico-listing-'));
    const elsewhere = mkdtempSync(join(tmpdir(), 'portico-target-'));
    roots.push(root, elsewhere);
    writeFileSync(join(elsewhere, 'target.yaml'), service('linked', 1));
    symlinkSync(join(elsewhere, 'target.yaml'), join(root, 'linked.yaml'));
    writeFileSync(join(root, 'plain.yaml'), service('plain', 1));
    const first = await loadManifestsAsync([root], { limits: LIMITS });
    expect(first.baseline).toBeUndefined();
    writeFileSync(join(elsewhere, 'target.yaml'), service('linked', 2));
    writeFileSync(join(root, 'plain.yaml'), service('plain', 2));
    const since = first.baseline ? { since: { baseline: first.baseline, changed: new Set([join(root, 'plain.yaml')]) } } : {};
    const next = await loadManifestsAsync([root], { limits: LIMITS, ...since });
    expect(comparable(next)).toEqual(comparable(await loadManifestsAsync([root], { limits: LIMITS })));
  });

  it.each([1, 2, 3])('loads, from the last listing and the entries named, what a walk loads (seed %i)', async (seed) => {
    const counts = await history(seed, 300);
    // Both ways were taken often enough to be compared.
    expect(counts.updated).toBeGreaterThan(30);
    expect(counts.walked).toBeGreaterThan(60);
  });
});
