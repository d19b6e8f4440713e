// The assembly made from the last one equals a fresh one, state and problems, after every step of
// random folder histories: edits that keep a file's objects, rename them, add or drop them, make
// copies of other files' objects or invalid ones, files added and removed, listing problems.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../../xds-server/src/test-support/seeded-random.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ManifestObject, ParsedManifest } from './parse-manifest-text.js';
import { StateAssembly } from './state-assembly.js';
import type { AssembledFile } from './state-assembly.js';

type Parsed = Pick<ParsedManifest, 'objects' | 'problems'>;

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f'];
const NAMESPACES = ['default', 'team-1', 'team-2', undefined];

function randomObject(pick: <T>(xs: readonly T[]) => T, chance: (p: number) => boolean, version: number): unknown {
  const name = chance(0.02) ? 'Not_A_Name' : pick(NAMES);
  const namespace = pick(NAMESPACES);
  const metadata = { name, ...(namespace ? { namespace } : {}), labels: { version: String(version) } };
  const shapes: Array<() => unknown> = [
    () => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata, spec: { rules: [{ host: `${name}.example.com` }] } }),
    () => ({ apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ port: 80 + (version % 3) }] } }),
    () => ({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name, labels: metadata.labels }, spec: { controller: 'portico.dev/ingress-controller' } }),
    () => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata }),
    () => ({ apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: 'not a list' } }),
  ];
  return pick(chance(0.9) ? shapes.slice(0, 3) : shapes)();
}

function history(seed: number, steps: number): { patched: number; full: number } {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const chance = (p: number): boolean => random() < p;
  let version = 0;
  const parse = (path: string, count: number): Parsed => {
    version += 1;
    const objects: ManifestObject[] = Array.from({ length: count }, (_, i) => ({ where: `${path}#${i}`, value: randomObject(pick, chance, version) }));
    return { objects, problems: chance(0.03) ? [{ object: path, severity: 'error', message: 'not valid YAML' }] : [] };
  };
  /** The same objects (kinds and names) as another parse, with new content: an edit that renames nothing. */
  const reparse = (path: string, parsed: Parsed): Parsed => {
    version += 1;
    const objects = parsed.objects.map(({ where, value }) => {
      const raw = value as { metadata?: { labels?: Record<string, string> } };
      return { where, value: { ...raw, metadata: { ...raw.metadata, labels: { version: String(version) } } } };
    });
    return { objects, problems: [] };
  };

  let files = new Map<string, Parsed>();
  for (let i = 0; i < 12; i++) files.set(`/m/file-${i}.yaml`, parse(`/m/file-${i}.yaml`, 1 + Math.floor(random() * 3)));
  const assembly = new StateAssembly();
  for (let step = 0; step < steps; step++) {
    const paths = [...files.keys()];
    const next = new Map(files);
    const edits = chance(0.1) ? 1 + Math.floor(random() * 20) : 1;
    for (let e = 0; e < edits; e++) {
      const path = pick(paths);
      const current = next.get(path);
      if (!current) continue; // removed by an earlier edit of this step
      const roll = random();
      if (roll < 0.6) next.set(path, reparse(path, current));
      else if (roll < 0.85) next.set(path, parse(path, 1 + Math.floor(random() * 3)));
      else if (roll < 0.93) next.set(`/m/file-${12 + Math.floor(random() * 6)}.yaml`, parse(path, 1));
      else if (next.size > 2) next.delete(path);
    }
    files = new Map([...next].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const listing: Diagnostic[] = chance(0.05) ? [{ object: '/m/fifo.yaml', severity: 'warning', message: 'not a regular file; skipped' }] : [];
    const input: AssembledFile[] = [...files].map(([path, parsed]) => ({ path, parsed }));
    const fromLast = assembly.assemble(listing, input);
    const fresh = new StateAssembly().assemble(listing, input);
    expect(fromLast.state, `seed ${seed} step ${step}`).toEqual(fresh.state);
    expect(fromLast.problems, `seed ${seed} step ${step}`).toEqual(fresh.problems);
  }
  return assembly.counts;
}

describe('StateAssembly', () => {
  it.each([1, 2, 3])('assembles from the last assembly exactly what a fresh one makes (seed %i)', (seed) => {
    const counts = history(seed, 1_500);
    // Both ways were taken often enough to be compared.
    expect(counts.patched).toBeGreaterThan(300);
    expect(counts.full).toBeGreaterThan(100);
  });

  it('keeps the very lists of kinds no changed file defines, and the very objects of unchanged files', () => {
    const ingress = (name: string, v: string): unknown => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name, namespace: 'default', labels: { v } }, spec: {} });
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 80 }] } };
    const a: Parsed = { objects: [{ where: 'a#0', value: ingress('a', '1') }], problems: [] };
    const b: Parsed = { objects: [{ where: 'b#0', value: ingress('b', '1') }, { where: 'b#1', value: service }], problems: [] };
    const assembly = new StateAssembly();
    const first = assembly.assemble([], [{ path: 'a', parsed: a }, { path: 'b', parsed: b }]);
    const a2: Parsed = { objects: [{ where: 'a#0', value: ingress('a', '2') }], problems: [] };
    const second = assembly.assemble([], [{ path: 'a', parsed: a2 }, { path: 'b', parsed: b }]);
    expect(assembly.counts.patched).toBe(1);
    expect(second.state.services).toBe(first.state.services);
    expect(second.state.ingresses[1]).toBe(first.state.ingresses[1]);
    expect(second.state.ingresses[0]?.metadata?.labels).toEqual({ v: '2' });
  });
});
