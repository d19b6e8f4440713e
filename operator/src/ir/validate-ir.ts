// The IR's own rules: what the Envoy stage may take for granted. translate/ must never produce a
// fleet that breaks them; buildEnvoyConfig checks every fleet before it is turned into Envoy
// resources and holds a class whose IR breaks them (a Portico bug) at its last good configuration,
// rather than sending Envoy something it would reject or that routes to nowhere.
//
// Incremental translation checks every spliced fleet, where all but a few virtual hosts are the
// very objects checked before: what a host's routes break, on their own and against a cluster
// list, is remembered per host object and list (an edit that moves no cluster keeps the list).
import { Memo } from '../util/memo.js';
import { compareHosts } from './host-and-path.js';
import type { IrCluster, IrFleet, IrRoute, IrVirtualHost } from './types.js';

/** What a virtual host asks of the fleet's clusters, and what its routes break by themselves. */
interface HostNeeds {
  problems: string[];
  /** [where, cluster, hashes]: each cluster a route uses, and whether it hashes over it. */
  clusters: [string, string, boolean][];
}

const HOST_NEEDS = new Memo((host: IrVirtualHost): HostNeeds => {
  const needs: HostNeeds = { problems: [], clusters: [] };
  host.routes.forEach((route, i) => checkRoute(route, `virtualHosts[${host.host}].routes[${i}]`, needs));
  (host.fallthrough ?? []).forEach((route, i) => checkRoute(route, `virtualHosts[${host.host}].fallthrough[${i}]`, needs));
  return needs;
});

function checkRoute(route: IrRoute, where: string, { problems, clusters }: HostNeeds): void {
  if (route.name === '' || route.origin === '') problems.push(`${where}: a route needs a name and an origin`);
  const { action, policy } = route;
  if (action.kind === 'forward') {
    clusters.push([where, action.cluster, policy?.hash !== undefined]);
    if (action.canary) clusters.push([where, action.canary.cluster, false]);
  }
  if (policy?.externalAuth) clusters.push([where, policy.externalAuth.cluster, false]);
  if (action.kind === 'forward' && action.canary && (action.canary.weight < 0 || action.canary.weight > action.canary.totalWeight || action.canary.totalWeight <= 0)) problems.push(`${where}: canary weight outside 0..totalWeight`);
  for (const [field, value] of [['backendIdleTimeoutMs', policy?.backendIdleTimeoutMs], ['maxRequestBodyBytes', policy?.maxRequestBodyBytes]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) problems.push(`${where}: policy.${field} must be a whole number ≥ 0`);
  }
  if (policy?.retry && policy.retry.numRetries < 1) problems.push(`${where}: policy.retry needs at least one retry (write false for none)`);
}

/** The clusters by name and whether they are sorted and unique: once per list (a spliced fleet keeps an unchanged list). */
const CLUSTER_INDEX = new Memo((clusters: readonly IrCluster[]) => {
  const problems: string[] = [];
  sortedAndUnique(clusters.map((c) => c.name), 'clusters', problems);
  return { byName: new Map(clusters.map((c) => [c.name, c])), problems };
});

/**
 * Each broken rule as "path: what is wrong"; empty when the fleet is sound. `previous`: a fleet this
 * one was spliced from; when it was found sound and shares this one's cluster list, only the
 * virtual hosts that are not the very objects it had in the same places are checked (with their
 * neighbours' order): the others passed against the same clusters.
 */
export function validateIrFleet(fleet: IrFleet, previous?: IrFleet): string[] {
  const problems: string[] = [...CLUSTER_INDEX.get(fleet.clusters).problems];
  const certificates = new Set(fleet.certificates.map((c) => c.name));
  sortedAndUnique(fleet.certificates.map((c) => c.name), 'certificates', problems);
  for (const chain of fleet.https?.chains ?? []) if (!certificates.has(chain.certificate)) problems.push(`https.chains: certificate ${chain.certificate} is not in certificates`);
  const fallback = fleet.https?.defaultCertificate;
  if (fallback !== undefined && !certificates.has(fallback)) problems.push(`https.defaultCertificate: ${fallback} is not in certificates`);
  const hosts = fleet.virtualHosts;
  const sound = previous !== undefined && SOUND.has(previous) && previous.clusters === fleet.clusters && previous.virtualHosts.length === hosts.length ? previous.virtualHosts : undefined;
  for (let i = 0; i < hosts.length; i++) {
    const host = hosts[i] as IrVirtualHost;
    if (sound?.[i] === host && sound[i - 1] === hosts[i - 1]) continue;
    // Sorted and unique (compareHosts): one comparison per neighbour, not a set of every host.
    const before = hosts[i - 1];
    if (before && compareHosts(before.host, host.host) >= 0) problems.push(`virtualHosts: ${JSON.stringify(host.host)} is out of order or listed twice`);
    if (sound?.[i] === host) continue;
    const hostProblems = HOST_PROBLEMS.get(host, fleet.clusters);
    if (hostProblems.length > 0) problems.push(...hostProblems);
  }
  if (problems.length === 0) SOUND.add(fleet);
  return problems;
}

/** Fleets found sound: a fleet spliced from one checks only what differs. */
const SOUND = new WeakSet<IrFleet>();

/** A host's problems in a fleet with this cluster list: once per host and list, not per check. */
const HOST_PROBLEMS = new Memo((host: IrVirtualHost, clusterList: readonly IrCluster[]): readonly string[] => {
  const needs = HOST_NEEDS.get(host);
  const { byName: clusters } = CLUSTER_INDEX.get(clusterList);
  const problems = [...needs.problems];
  for (const [where, name, hashes] of needs.clusters) {
    const cluster = clusters.get(name);
    if (!cluster) problems.push(`${where}: cluster ${name} is not in clusters`);
    else if (hashes && cluster.settings.balancing !== 'ringHash') problems.push(`${where}: hashes on a cluster that does not balance by hash`);
  }
  return problems.length > 0 ? problems : NONE;
});

const NONE: readonly string[] = [];

function sortedAndUnique(names: string[], field: string, problems: string[]): void {
  for (let i = 1; i < names.length; i++) {
    const [before = '', after = ''] = [names[i - 1], names[i]];
    if (before >= after) problems.push(`${field}: ${JSON.stringify(after)} is out of order or repeated`);
  }
}
