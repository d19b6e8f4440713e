// The watcher's contract with the listing update: every changed entry is named, on a real folder
// with real native watches.
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { TreeWatcher } from './tree-watcher.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-tree-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A watcher on the folder, and the names it gave since the last call of `named`. */
function watching(dir: string): { named: () => Promise<Array<string | undefined>>; watches: () => string[] } {
  let names: Array<string | undefined> = [];
  const watcher = new TreeWatcher(dir, (path) => names.push(path));
  cleanups.unshift(() => watcher.close());
  return {
    named: async () => {
      await sleep(150); // events are delivered by the event loop
      const given = names;
      names = [];
      return given;
    },
    watches: () => [...(watcher as unknown as { watches: Map<string, unknown> }).watches.keys()].sort(),
  };
}

describe('TreeWatcher', () => {
  it('names a file edited in place, and nothing else', async () => {
    const dir = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    writeFileSync(join(dir, 'b.yaml'), 'x');
    const { named } = watching(dir);
    writeFileSync(join(dir, 'a.yaml'), 'edited');
    const names = await named();
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set([join(dir, 'a.yaml')]));
  });

  it('names in-place edits of a file that a rename replaced (fs.watch recursive on Linux misses them)', async () => {
    const dir = folder();
    const staging = folder();
    writeFileSync(join(dir, 'a.yaml'), 'x');
    const { named } = watching(dir);
    writeFileSync(join(staging, 'next'), 'renamed into place');
    renameSync(join(staging, 'next'), join(dir, 'a.yaml'));
    expect(await named()).toContain(join(dir, 'a.yaml'));
    writeFileSync(join(dir, 'a.yaml'), 'then edited in place');
    expect(await named()).toContain(join(dir, 'a.yaml'));
  });

  it('watches the folders under it, and folders that appear, naming them once watched', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'team-a', 'deep'), { recursive: true });
    const { named, watches } = watching(dir);
    writeFileSync(join(dir, 'team-a', 'deep', 'a.yaml'), 'x');
    expect(await named()).toContain(join(dir, 'team-a', 'deep', 'a.yaml'));
    // Written before the new folder's watch can be in place: the folder is named after it is.
    mkdirSync(join(dir, 'team-b'));
    writeFileSync(join(dir, 'team-b', 'early.yaml'), 'x');
    const names = await named();
    expect(names.filter((name) => name === join(dir, 'team-b')).length).toBeGreaterThanOrEqual(2);
    writeFileSync(join(dir, 'team-b', 'later.yaml'), 'x');
    expect(await named()).toContain(join(dir, 'team-b', 'later.yaml'));
    expect(watches()).toEqual([dir, join(dir, 'team-a'), join(dir, 'team-a', 'deep'), join(dir, 'team-b')]);
  });

  it('stops watching a folder removed, and watches the one made in its place', async () => {
    const dir = folder();
    mkdirSync(join(dir, 'team-a', 'deep'), { recursive: true });
    const { named, watches } = watching(dir);
    rmSync(join(dir, 'team-a'), { recursive: true });
    expect(await named()).toContain(join(dir, 'team-a'));
    expect(watches()).toEqual([dir]);
    mkdirSync(join(dir, 'team-a'));
    await named();
    writeFileSync(join(dir, 'team-a', 'b.yaml'), 'x');
    expect(await named()).toContain(join(dir, 'team-a', 'b.yaml'));
    expect(watches()).toEqual([dir, join(dir, 'team-a')]);
    // Removed and made again at once: ext4 hands the freed inode number straight back.
    rmSync(join(dir, 'team-a'), { recursive: true });
    mkdirSync(join(dir, 'team-a'));
    await named();
    writeFileSync(join(dir, 'team-a', 'c.yaml'), 'x');
    expect(await named()).toContain(join(dir, 'team-a', 'c.yaml'));
  });

  it('watches the root again when it is removed and made again', async () => {
    const dir = folder();
    const { named } = watching(dir);
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    expect(await named()).toContain(undefined);
    writeFileSync(join(dir, 'a.yaml'), 'x');
    expect(await named()).toContain(join(dir, 'a.yaml'));
  });

  it('names a link when the file it points at changes, wherever that file is', async () => {
    const dir = folder();
    const elsewhere = folder();
    writeFileSync(join(elsewhere, 'target.yaml'), 'x');
    symlinkSync(join(elsewhere, 'target.yaml'), join(dir, 'linked.yaml'));
    const { named } = watching(dir);
    writeFileSync(join(elsewhere, 'target.yaml'), 'edited');
    expect(await named()).toContain(join(dir, 'linked.yaml'));
    // A link made later is watched too, and again after its target was replaced.
    symlinkSync(join(elsewhere, 'target.yaml'), join(dir, 'later.yaml'));
    await named();
    writeFileSync(join(elsewhere, 'next'), 'replaced');
    renameSync(join(elsewhere, 'next'), join(elsewhere, 'target.yaml'));
    expect(await named()).toEqual(expect.arrayContaining([join(dir, 'linked.yaml'), join(dir, 'later.yaml')]));
    writeFileSync(join(elsewhere, 'target.yaml'), 'edited in place');
    expect(await named()).toEqual(expect.arrayContaining([join(dir, 'linked.yaml'), join(dir, 'later.yaml')]));
  });

  it('does not watch what a link to a device points at (a watch on /dev/null hears every write to it)', async () => {
    const dir = folder();
    symlinkSync('/dev/null', join(dir, 'null.yaml'));
    const { named, watches } = watching(dir);
    expect(watches()).toEqual([dir]);
    writeFileSync('/dev/null', 'anything');
    expect(await named()).toEqual([]);
  });

  it('names hidden entries, such as a volume swapping its ..data link, but does not watch inside hidden folders', async () => {
    const dir = folder();
    mkdirSync(join(dir, '.git'));
    const { named, watches } = watching(dir);
    writeFileSync(join(dir, '.git', 'index.yaml'), 'x');
    expect(await named()).toEqual([]);
    symlinkSync('.git', join(dir, '..data_tmp'));
    renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
    expect(await named()).toContain(join(dir, '..data'));
    expect(watches()).toEqual([dir]);
  });
});
