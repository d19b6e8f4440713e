// A publish whose lists line up with the previous publish's (the same length, entries replaced in
// place) takes a shortcut in buildFleetSnapshot: it looks only at the entries that are other
// objects. This drives random histories of edits through two caches: one handed the lists as the
// operator hands them (sorted, unchanged entries the very same objects, so the shortcut is taken
// whenever it can be), the other handed each list rotated differently every time (never lined up:
// the general way). After every step both must serve the same resources at the same versions and
// report the same problems.
import { describe, expect, it } from 'vitest';
import type { ClusterLoadAssignment, FleetResources, RouteConfiguration } from '../resources.js';
import { edsCluster, envoyListener, loadAssignment, routeConfiguration } from '../test-support/fleet-fixtures.js';
import { seededRandom } from '../test-support/seeded-random.js';
import { sotwView } from '../test-support/grpc-fixtures.js';
import { RESOURCE_KINDS, buildFleetSnapshot } from './fleet-snapshot.js';
import type { BuiltSnapshot, FleetSnapshot } from './fleet-snapshot.js';
import { withVirtualHostDiscovery } from './virtual-host-discovery.js';

const STEPS = 400;

function publish(resources: FleetResources, previous: FleetSnapshot | undefined): BuiltSnapshot {
  return buildFleetSnapshot('f', sotwView(resources, {}), withVirtualHostDiscovery(resources, {}), previous);
}

function rotated<T>(list: readonly T[], by: number): T[] {
  const k = list.length === 0 ? 0 : by % list.length;
  return [...list.slice(k), ...list.slice(0, k)];
}

/** What clients are served: per view and kind, the version and every resource's name and version. */
function served(snapshot: FleetSnapshot): unknown {
  const of = (types: FleetSnapshot['types']): unknown => RESOURCE_KINDS.map((kind) => [kind, types[kind].version, [...types[kind].resources.values()].map((r) => `${r.name}@${r.version}`)]);
  return { sotw: of(snapshot.types), delta: of(snapshot.deltaTypes), namespaces: [...snapshot.deltaTypes.virtualHost.namespaces] };
}

const problemsOf = (built: BuiltSnapshot): string[] => built.problems.map((p) => `${p.kind} ${p.name} ${p.virtualHost ?? ''}: ${p.message}`).sort();

describe('publishing lists that line up with the previous publish', () => {
  for (const seed of [1, 2, 3]) {
    it(`serves what the general way serves, over ${STEPS} random edits (seed ${seed})`, () => {
      const random = seededRandom(seed);
      const pick = (n: number): number => Math.floor(random() * n);
      let clusters = Array.from({ length: 30 }, (_, i) => `c${String(i).padStart(3, '0')}`);
      const ports = new Map(clusters.map((name, i) => [name, [1000 + i]]));
      const hosts = new Map(Array.from({ length: 20 }, (_, i) => [`h${String(i).padStart(2, '0')}.example.com`, clusters[i % clusters.length] as string]));
      let next = 30;
      let current: FleetResources = {
        listeners: [envoyListener(8080)],
        routeConfigurations: [routeConfiguration(Object.fromEntries(hosts))],
        clusters: clusters.map(edsCluster),
        clusterLoadAssignments: clusters.map((name) => loadAssignment(name, ports.get(name) ?? [])),
        secrets: [],
      };
      let lined: FleetSnapshot | undefined;
      let general: FleetSnapshot | undefined;
      /** A broken assignment is mended by the next step (a kind with a problem takes the general way). */
      let broken: number | undefined;
      for (let step = 0; step < STEPS; step++) {
        const assignments = [...current.clusterLoadAssignments];
        if (broken !== undefined) {
          const mended = (assignments[broken] as ClusterLoadAssignment).cluster_name ?? '';
          ports.set(mended, [4000 + step]);
          assignments[broken] = loadAssignment(mended, ports.get(mended) ?? []);
          broken = undefined;
        }
        let clusterList = current.clusters;
        let tables = current.routeConfigurations;
        const at = pick(assignments.length);
        const name = (assignments[at] as ClusterLoadAssignment).cluster_name ?? '';
        switch (pick(7)) {
          case 0: // endpoints change
            ports.set(name, [2000 + pick(500)]);
            assignments[at] = loadAssignment(name, ports.get(name) ?? []);
            break;
          case 1: // equal content, another object
            assignments[at] = structuredClone(assignments[at] as ClusterLoadAssignment);
            break;
          case 2: // breaks Envoy's rules: the last good version stays
            assignments[at] = { cluster_name: name, endpoints: [{ priority: -1 as unknown as number }] };
            broken = at;
            break;
          case 3: { // one host routed elsewhere, or a new host: a new table, one new virtual host in it
            const [host] = pick(4) === 0 ? [`n${step}.example.com`] : [...hosts.keys()].slice(pick(hosts.size));
            hosts.set(host as string, clusters[pick(clusters.length)] as string);
            const table = routeConfiguration(Object.fromEntries(hosts));
            const before = (current.routeConfigurations[0] as RouteConfiguration).virtual_hosts ?? [];
            const kept = new Map(before.map((v) => [v.name, v]));
            table.virtual_hosts = table.virtual_hosts?.map((v) => (v.name === host ? v : kept.get(v.name) ?? v));
            tables = [table];
            break;
          }
          case 4: // a cluster goes
            if (clusters.length > 5 && ![...hosts.values()].includes(name)) {
              clusters = clusters.filter((c) => c !== name);
              assignments.splice(at, 1);
              clusterList = clusterList.filter((c) => c.name !== name);
            }
            break;
          case 5: { // a cluster comes, sorted in
            const added = `c${String(next++).padStart(3, '0')}`;
            clusters = [...clusters, added].sort();
            ports.set(added, [3000 + next]);
            const index = clusters.indexOf(added);
            assignments.splice(index, 0, loadAssignment(added, ports.get(added) ?? []));
            clusterList = [...clusterList.slice(0, index), edsCluster(added), ...clusterList.slice(index)];
            break;
          }
          default: // a name twice, for one publish
            assignments.push(assignments[0] as ClusterLoadAssignment);
        }
        current = { ...current, clusters: clusterList, clusterLoadAssignments: assignments, routeConfigurations: tables };
        const a = publish(current, lined);
        const turned = { ...current, clusters: rotated(current.clusters, step + 1), clusterLoadAssignments: rotated(current.clusterLoadAssignments, step + 2) };
        const b = publish(turned, general);
        expect(served(a.snapshot), `step ${step}`).toEqual(served(b.snapshot));
        expect(problemsOf(a), `step ${step}`).toEqual(problemsOf(b));
        // Both take shortcuts of their own; virtual hosts never break here, so a fresh build must agree on them.
        expect([...a.snapshot.deltaTypes.virtualHost.namespaces], `step ${step}`).toEqual([...publish(current, undefined).snapshot.deltaTypes.virtualHost.namespaces]);
        lined = a.snapshot;
        general = b.snapshot;
        // A name given twice is given once again by the next step.
        if (assignments.length !== clusters.length) current = { ...current, clusterLoadAssignments: assignments.slice(0, clusters.length) };
      }
    });
  }
});
