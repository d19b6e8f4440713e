import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadManifests } from './load-manifests.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-manifests-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const SERVICE = (name: string): string => `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}}\nspec: {ports: [{port: 80}]}\n`;

describe('loadManifests', () => {
  it('reads nested folders, multi-document files and kind: List, in a stable order', () => {
    const dir = folder({
      'b.yaml': `${SERVICE('two')}---\n${SERVICE('three')}`,
      'a/one.yml': SERVICE('one'),
      'list.json': JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'four', namespace: 'x' } }] }),
      'notes.txt': 'not a manifest',
      '.hidden.yaml': SERVICE('hidden'),
    });
    const loaded = loadManifests([dir]);
    expect(loaded.problems).toEqual([]);
    expect(loaded.unreadable).toBe(false);
    expect(loaded.state.services.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`)).toEqual(['default/one', 'default/three', 'default/two', 'x/four']);
  });

  it('reports a broken file by name and keeps the others', () => {
    const dir = folder({ 'good.yaml': SERVICE('good'), 'bad.yaml': 'a: [1,\n' });
    const loaded = loadManifests([dir]);
    expect(loaded.unreadable).toBe(true);
    expect(loaded.problems).toHaveLength(1);
    expect(loaded.problems[0]).toMatchObject({ object: join(dir, 'bad.yaml'), severity: 'error' });
    expect(loaded.problems[0]?.message).toMatch(/^not valid YAML at line \d+, column \d+/);
    expect(loaded.state.services.map((s) => s.metadata?.name)).toEqual(['good']);
  });

  it('rejects a second definition of the same object and documents without a name', () => {
    const dir = folder({ 'x.yaml': `${SERVICE('dup')}---\n${SERVICE('dup')}---\napiVersion: v1\nkind: Service\nmetadata: {}\n` });
    const loaded = loadManifests([dir]);
    const file = join(dir, 'x.yaml');
    expect(loaded.problems.map((p) => [p.object, p.message])).toEqual([
      [`${file} (document 2)`, `Service default/dup is also defined in ${file} (document 1), which is used (the first definition in path order wins); this copy is ignored`],
      [`${file} (document 3)`, 'Service: metadata.name is required'],
    ]);
    expect(loaded.unreadable).toBe(false);
  });

  it('ignores old API versions with a warning rather than misreading them', () => {
    const dir = folder({ 'old.yaml': 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: legacy}\n' });
    const loaded = loadManifests([dir]);
    expect(loaded.problems).toEqual([
      { object: join(dir, 'old.yaml'), severity: 'warning', message: 'Ingress extensions/v1beta1 is not read by Portico (only networking.k8s.io/v1); ignored' },
    ]);
    expect(loaded.state.ingresses).toEqual([]);
  });

  it('turns timestamps into Dates whatever the source', () => {
    const dir = folder({ 'i.yaml': 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, creationTimestamp: "2024-05-01T10:00:00Z"}\nspec: {}\n' });
    const [ingress] = loadManifests([dir]).state.ingresses;
    expect(ingress?.metadata?.creationTimestamp).toEqual(new Date('2024-05-01T10:00:00Z'));
  });
});
