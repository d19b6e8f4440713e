// Puts a re-translated part of a fleet back into the whole. `part` is translateFleet over the
// scope's Ingresses only: its virtual hosts are exactly those of the scope's hosts, its clusters,
// certificates and SNI names those the scope uses. Everything outside the scope keeps its previous
// IR objects (the very same objects, so the Envoy stage's memo and the cache's identity checks
// skip them); a part's virtual host equal to the one it replaces keeps the old object too.
import { isDeepStrictEqual } from 'node:util';
import type { IrCertificate, IrCluster, IrFleet, IrHttps, IrVirtualHost } from '../ir/types.js';
import { compareHosts } from '../ir/host-and-path.js';
import { compareStrings, sameItems } from '../util/compare.js';
import { Memo } from '../util/memo.js';
import type { Scope } from './fleet-index.js';

const isIngress = (origin: string): boolean => origin.startsWith('Ingress ');

export function spliceFleet(previous: IrFleet, part: IrFleet, scope: Pick<Scope, 'hosts' | 'refs'>): IrFleet {
  const spliced: IrFleet = {
    ...previous,
    virtualHosts: spliceVirtualHosts(previous.virtualHosts, part.virtualHosts, scope.hosts),
    clusters: spliceClusters(previous.clusters, part.clusters, scope.refs),
    certificates: spliceCertificates(previous.certificates, part.certificates, scope.refs, part),
  };
  const https = spliceHttps(previous.https, part.https, scope.hosts);
  if (https) spliced.https = https;
  else delete spliced.https;
  return spliced;
}

/**
 * The previous hosts (sorted) with the scope's replaced in place: one pass, and a sort only when a
 * host new to the fleet joins. A part's host equal to the one it replaces keeps the old object.
 */
function spliceVirtualHosts(previous: readonly IrVirtualHost[], part: readonly IrVirtualHost[], scope: ReadonlySet<string>): IrVirtualHost[] {
  const replacing = new Map<string, IrVirtualHost>();
  for (const host of part) {
    if (!scope.has(host.host)) throw new Error(`incremental translation: host ${host.host} is outside its scope`);
    replacing.set(host.host, host);
  }
  const virtualHosts: IrVirtualHost[] = [];
  for (const old of previous) {
    if (!scope.has(old.host)) {
      virtualHosts.push(old);
      continue;
    }
    const host = replacing.get(old.host);
    if (host === undefined) continue; // the scope no longer routes it
    replacing.delete(old.host);
    virtualHosts.push(isDeepStrictEqual(old, host) ? old : host);
  }
  if (replacing.size > 0) {
    virtualHosts.push(...replacing.values());
    virtualHosts.sort((a, b) => compareHosts(a.host, b.host));
  }
  return virtualHosts;
}

/**
 * A cluster's origins are the Ingresses routing to it plus its Service and slices. The scope's
 * Ingresses are re-counted from the part; the Service and slices come from the part when it has
 * the cluster (fresh: the users of a Service whose endpoints changed are in the scope), else
 * from before. A cluster no Ingress routes to any more is gone.
 */
function spliceClusters(previous: readonly IrCluster[], part: readonly IrCluster[], refs: ReadonlySet<string>): IrCluster[] {
  const { byName, byOrigin } = CLUSTER_USERS.get(previous);
  const fresh = new Map(part.map((c) => [c.name, c]));
  // The clusters the part brings again, and those the scope's objects made: the rest stay as they are.
  const touched = new Set<number>();
  for (const name of fresh.keys()) {
    const index = byName.get(name);
    if (index !== undefined) touched.add(index);
  }
  for (const ref of refs) for (const index of byOrigin.get(ref) ?? []) touched.add(index);
  const result: (IrCluster | undefined)[] = [...previous];
  let changed = false;
  for (const index of touched) {
    const cluster = previous[index] as IrCluster;
    const kept = cluster.origins.filter((o) => isIngress(o) && !refs.has(o));
    const update = fresh.get(cluster.name);
    fresh.delete(cluster.name);
    let spliced: IrCluster | undefined;
    if (update) spliced = withOrigins(update, [...kept, ...update.origins], cluster);
    else if (kept.length > 0) spliced = withOrigins(cluster, [...kept, ...cluster.origins.filter((o) => !isIngress(o))], cluster);
    result[index] = spliced; // undefined: no Ingress routes to it any more
    changed ||= spliced !== cluster;
  }
  if (!changed && fresh.size === 0) return previous as IrCluster[];
  const clusters = result.filter((c): c is IrCluster => c !== undefined);
  // In the previous (sorted) order: only clusters new to the fleet need sorting in.
  if (fresh.size > 0) {
    clusters.push(...fresh.values());
    clusters.sort((a, b) => compareStrings(a.name, b.name));
  }
  return sameElements(clusters, previous);
}

/** Where each cluster of a list is, by name and by every object that made it: once per list. */
const CLUSTER_USERS = new Memo((clusters: readonly IrCluster[]) => {
  const byName = new Map<string, number>();
  const byOrigin = new Map<string, number[]>();
  clusters.forEach((cluster, index) => {
    byName.set(cluster.name, index);
    for (const origin of cluster.origins) {
      const users = byOrigin.get(origin);
      if (users) users.push(index);
      else byOrigin.set(origin, [index]);
    }
  });
  return { byName, byOrigin };
});

/**
 * `previous` itself when `list` holds the very same objects in the same order: an edit that moves
 * no cluster or certificate (most do not) leaves the list the very object it was, so everything
 * made from the whole list (the Envoy stage's, the xDS cache's) is not made again.
 */
function sameElements<T>(list: T[], previous: readonly T[]): T[] {
  return sameItems(list, previous) ? (previous as T[]) : list;
}

/** `base` with these origins; `previous` itself when that is what it already is. */
function withOrigins(base: IrCluster, origins: string[], previous: IrCluster): IrCluster {
  const sorted = [...new Set(origins)].sort(compareStrings);
  const cluster = { ...base, origins: sorted };
  return isDeepStrictEqual(cluster, previous) ? previous : cluster;
}

/**
 * A certificate's origins are its Secret, then the Ingresses serving hosts with it (sorted); the
 * class's default certificate, when no Ingress's host uses it, is listed with the IngressClass.
 */
function spliceCertificates(previous: readonly IrCertificate[], part: readonly IrCertificate[], refs: ReadonlySet<string>, fleet: Pick<IrFleet, 'ingressClass' | 'https'>): IrCertificate[] {
  const old = new Map(previous.map((c) => [c.name, c]));
  const fresh = new Map(part.map((c) => [c.name, c]));
  const result: IrCertificate[] = [];
  for (const name of [...new Set([...old.keys(), ...fresh.keys()])].sort(compareStrings)) {
    const before = old.get(name);
    const update = fresh.get(name);
    const users = new Set([...(before?.origins ?? []).filter((o) => isIngress(o) && !refs.has(o)), ...(update?.origins ?? []).filter(isIngress)]);
    let origins: string[];
    if (users.size > 0) origins = [`Secret ${name}`, ...[...users].sort(compareStrings)];
    else if (name === fleet.https?.defaultCertificate) origins = [`Secret ${name}`, `IngressClass ${fleet.ingressClass}`];
    else continue;
    const certificate = { ...((update ?? before) as IrCertificate), origins };
    result.push(before && isDeepStrictEqual(before, certificate) ? before : certificate);
  }
  return sameElements(result, previous);
}

/** SNI chains: the scope's hosts take their certificate from the part; the others keep theirs. */
function spliceHttps(previous: IrHttps | undefined, part: IrHttps | undefined, hosts: ReadonlySet<string>): IrHttps | undefined {
  const base = part ?? previous;
  if (!base) return undefined;
  const byCertificate = new Map<string, string[]>();
  const serve = (certificate: string, host: string): void => void byCertificate.set(certificate, [...(byCertificate.get(certificate) ?? []), host]);
  for (const chain of previous?.chains ?? []) for (const host of chain.serverNames) if (!hosts.has(host)) serve(chain.certificate, host);
  for (const chain of part?.chains ?? []) for (const host of chain.serverNames) serve(chain.certificate, host);
  const chains = [...byCertificate].sort(([a], [b]) => compareStrings(a, b)).map(([certificate, serverNames]) => ({ certificate, serverNames: serverNames.sort(compareStrings) }));
  if (chains.length === 0 && base.defaultCertificate === undefined) return undefined;
  const https = { ...base, chains };
  return previous && isDeepStrictEqual(previous, https) ? previous : https;
}
