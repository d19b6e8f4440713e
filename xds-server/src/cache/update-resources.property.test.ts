// Property: a fleet kept current by per-resource updates (SnapshotCache.updateResources) serves,
// after every step, what a full publish of the same content serves: the same type versions (both
// views, wildcard versions too), the same names in the same order, the same resource versions and
// bytes. Versions are sums of per-resource digests (content-version.ts), adjusted by updates and
// summed whole by publishes, so this is what keeps the two paths from drifting apart.
import { describe, expect, it } from 'vitest';
import { seededRandom as seeded } from '../test-support/seeded-random.js';
import { edsCluster, fleetResources, loadAssignment } from '../test-support/fleet-fixtures.js';
import { publishAsServer, servedContent } from '../test-support/snapshot-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import { typeVersion, versionOfResources } from './content-version.js';
import { SnapshotCache } from './snapshot-cache.js';




describe('per-resource updates against full publishes', () => {
  it('give the same type versions and resources over random sequences of changes, additions and removals', () => {
    const random = seeded(2026);
    const pool = Array.from({ length: 60 }, (_, i) => `ns-${i % 4}/svc-${String(i).padStart(2, '0')}/80`);
    const pick = (): string => pool[Math.floor(random() * pool.length)] as string;
    const port = (): number => 1 + Math.floor(random() * 4);
    const endpoints: Record<string, number[]> = {};
    for (const name of pool.slice(0, 30)) endpoints[name] = [port()];
    const spec = (): FleetSpec => ({ routes: { '*': 'ns-0/svc-00/80' }, endpoints: { ...endpoints } });
    const publishSpec = (cache: SnapshotCache): void => {
      const current = spec();
      publishAsServer(cache, fleetResources(current), current);
    };
    const incremental = new SnapshotCache();
    publishSpec(incremental);
    const seen = new Set<string>();
    for (let step = 0; step < 300; step++) {
      // What the step touches, by name; what it ends with is what is upserted or removed.
      const touched = new Set<string>();
      const added = new Set<string>();
      const count = 1 + Math.floor(random() * 3);
      for (let i = 0; i < count; i++) {
        const name = pick();
        touched.add(name);
        if (endpoints[name] !== undefined && random() < 0.2) {
          delete endpoints[name];
          added.delete(name);
        } else {
          // Changed (often back to a value it had: versions must come back too), or added.
          if (endpoints[name] === undefined) added.add(name);
          endpoints[name] = Array.from({ length: 1 + Math.floor(random() * 2) }, port);
        }
      }
      const present = [...touched].filter((name) => endpoints[name] !== undefined);
      const gone = [...touched].filter((name) => endpoints[name] === undefined);
      if (added.size > 0 || gone.length > 0) incremental.updateResources('f', 'cluster', [...added].map(edsCluster), gone);
      incremental.updateResources('f', 'clusterLoadAssignment', present.map((name) => loadAssignment(name, endpoints[name] ?? [])), gone);
      const full = new SnapshotCache();
      publishSpec(full);
      expect(servedContent(incremental.get('f'))).toEqual(servedContent(full.get('f')));
      const type = incremental.get('f').types.clusterLoadAssignment;
      // The version a SotW client subscribed by name is told, from the digests or hashed afresh.
      expect(versionOfResources(type.resources.values())).toBe(type.version);
      expect(typeVersion(new Map([...type.resources].map(([name, r]) => [name, r.version])))).toBe(type.version);
      seen.add(type.version);
    }
    // The sequence really went through many contents.
    expect(seen.size).toBeGreaterThan(100);
  });
});
