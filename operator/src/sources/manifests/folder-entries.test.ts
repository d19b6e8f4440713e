// What the loader does with folder entries that are not plain manifest files: real FIFOs,
// sockets, devices, links and oversized files in temp folders.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifests, loadManifestsAsync } from './load-manifests.js';
import type { LoadedManifests } from './load-manifests.js';
import { DEFAULT_MANIFEST_LIMITS } from './manifest-limits.js';
import { readManifestFile, readManifestFileSync } from './read-manifest-file.js';

const SERVICE = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: 80}]}\n`;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function folder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-entries-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function socketAt(path: string): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return server;
}

/** Fails instead of hanging when a load blocks (a FIFO opened for reading waits for a writer). */
function withinSeconds<T>(promise: Promise<T>, seconds = 5): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the load blocked')), seconds * 1000).unref())]);
}

const names = (loaded: LoadedManifests): unknown => loaded.state.services.map((s) => s.metadata?.name);

describe('folder entries that are not regular files', () => {
  it('skips a FIFO, a socket and a link to /dev/zero named *.yaml with a warning each, and loads the rest', async () => {
    const dir = folder({ 'good.yaml': SERVICE('good') });
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    await socketAt(join(dir, 'socket.yaml'));
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    // A FIFO under another name is not a manifest at all: not even a warning.
    execFileSync('mkfifo', [join(dir, 'other.fifo')]);

    const loaded = await withinSeconds(loadManifestsAsync([dir]));
    expect(names(loaded)).toEqual(['good']);
    expect(loaded.unreadable).toBe(false);
    expect(loaded.problems).toEqual([
      { object: join(dir, 'fifo.yaml'), severity: 'warning', message: 'not a regular file but a FIFO (named pipe); skipped' },
      { object: join(dir, 'socket.yaml'), severity: 'warning', message: 'not a regular file but a socket; skipped' },
      { object: join(dir, 'zero.yaml'), severity: 'warning', message: 'not a regular file but a character device; skipped' },
    ]);
    // The synchronous loader follows the same rules (and never opens the FIFO either).
    expect(loadManifests([dir])).toEqual(loaded);
  });

  it('refuses a FIFO swapped in after the walk: the open does not wait and the descriptor is checked', async () => {
    const dir = folder();
    const fifo = join(dir, 'swapped.yaml');
    execFileSync('mkfifo', [fifo]);
    const expected = { refusal: { severity: 'warning', reason: 'not a regular file but a FIFO (named pipe); skipped' } };
    expect(await withinSeconds(readManifestFile(fifo, DEFAULT_MANIFEST_LIMITS))).toMatchObject(expected);
    expect(readManifestFileSync(fifo, DEFAULT_MANIFEST_LIMITS)).toMatchObject(expected);
  });

  it('follows a link to a regular file, wherever it points (a Kubernetes volume links every file)', async () => {
    const elsewhere = folder({ 'shared.yaml': SERVICE('shared') });
    // The layout the kubelet writes for a ConfigMap volume: files link through the hidden ..data.
    const dir = folder({ '..2024_05_01/ingress.yaml': SERVICE('from-configmap') });
    symlinkSync('..2024_05_01', join(dir, '..data'));
    symlinkSync('..data/ingress.yaml', join(dir, 'ingress.yaml'));
    symlinkSync(join(elsewhere, 'shared.yaml'), join(dir, 'shared.yaml'));

    const loaded = await loadManifestsAsync([dir]);
    expect(loaded.problems).toEqual([]);
    expect(names(loaded)).toEqual(['from-configmap', 'shared']);
  });

  it('does not follow a link to a folder, and names a link to nothing as unreadable', async () => {
    const elsewhere = folder({ 'team.yaml': SERVICE('team') });
    const dir = folder({ 'good.yaml': SERVICE('good') });
    symlinkSync(elsewhere, join(dir, 'team-a'));
    symlinkSync(join(dir, 'missing.yaml'), join(dir, 'dangling.yaml'));

    const loaded = await loadManifestsAsync([dir]);
    expect(names(loaded)).toEqual(['good']);
    expect(loaded.unreadable).toBe(true);
    expect(loaded.problems).toEqual([
      { object: join(dir, 'dangling.yaml'), severity: 'error', message: 'cannot read: no such file or directory (a symbolic link to nothing)' },
      { object: join(dir, 'team-a'), severity: 'warning', message: 'a symbolic link to a folder; not followed' },
    ]);
  });
});

describe('size limits', () => {
  it('refuses a file over 16 MiB without reading it', async () => {
    const dir = folder({ 'good.yaml': SERVICE('good') });
    // Sparse: 16 MiB + 1 of zeros that take no disk and would take no time to refuse.
    writeFileSync(join(dir, 'huge.yaml'), '');
    truncateSync(join(dir, 'huge.yaml'), 16 * 1024 * 1024 + 1);
    const loaded = await loadManifestsAsync([dir]);
    expect(loaded.unreadable).toBe(true);
    expect(loaded.problems).toEqual([{ object: join(dir, 'huge.yaml'), severity: 'error', message: '16777217 bytes, over the limit of 16 MiB per file; not read' }]);
    expect(names(loaded)).toEqual(['good']);
  });

  it('reads files in path order until the total limit, and names each file left out', async () => {
    const padded = (name: string): string => `${SERVICE(name)}#${'x'.repeat(500)}\n`;
    const dir = folder({ 'a.yaml': padded('a'), 'b/c.yaml': padded('c'), 'b.yaml': padded('b') });
    const limits = { ...DEFAULT_MANIFEST_LIMITS, maxTotalBytes: 1_200 };
    const loaded = await loadManifestsAsync([dir], { limits });
    expect(names(loaded)).toEqual(['a', 'b']);
    expect(loaded.unreadable).toBe(true);
    expect(loaded.fileProblems).toEqual([{ object: join(dir, 'b', 'c.yaml'), severity: 'error', message: 'not read: the manifests add up to more than the limit of 1200 bytes' }]);
    expect(loadManifests([dir], { limits })).toEqual(loaded);
  });
});
