// Collects the routes of one fleet, host by host, and settles who owns each host+path.
// Ingresses must be offered oldest first: the first claim on a host+path wins, which makes the
// oldest Ingress the winner whatever order the objects arrived in.
import type { IrRoute } from '../ir/types.js';
import { compareStrings } from '../util/compare.js';
import { compareHosts } from '../ir/host-and-path.js';
import { comparePrecedence, matchKey } from './paths.js';

export type ClaimResult = { claimed: true } | { claimed: false; owner: string };

export class RouteTable {
  private readonly routesByHost = new Map<string, Map<string, IrRoute>>();
  private createdInOffer: string[] = [];

  /** Makes the host exist even if it ends up with no routes of its own (it still gets the default backend). */
  addHost(host: string): void {
    if (this.routesByHost.has(host)) return;
    this.routesByHost.set(host, new Map());
    this.createdInOffer.push(host);
  }

  claim(host: string, route: IrRoute): ClaimResult {
    this.addHost(host);
    const routes = this.routesByHost.get(host) as Map<string, IrRoute>;
    const key = matchKey(route.match);
    const owner = routes.get(key);
    if (owner) return { claimed: false, owner: owner.origin };
    routes.set(key, route);
    return { claimed: true };
  }

  /** Starts a new object's offer: the hosts it creates are remembered, for withdraw(). */
  beginOffer(): void {
    this.createdInOffer = [];
  }

  /**
   * Takes back every route one object claimed, and the hosts its offer created (an Ingress whose
   * translation failed half-way): as if it had never been offered.
   */
  withdraw(origin: string): void {
    for (const routes of this.routesByHost.values()) {
      for (const [key, route] of routes) if (route.origin === origin) routes.delete(key);
    }
    for (const host of this.createdInOffer) if (this.routesByHost.get(host)?.size === 0) this.routesByHost.delete(host);
  }

  /** Hosts in a stable order: exact names, then wildcards, then the catch-all. */
  hosts(): string[] {
    return [...this.routesByHost.keys()].sort(compareHosts);
  }

  /** The routes of a host in match order. */
  routes(host: string): IrRoute[] {
    const routes = [...(this.routesByHost.get(host)?.values() ?? [])];
    return routes.sort((a, b) => comparePrecedence(a.match, b.match) || compareStrings(a.name, b.name));
  }
}

