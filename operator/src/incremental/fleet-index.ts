// One fleet's Ingresses as incremental translation sees them: which Ingresses name each host,
// which shape every host (anchors), which make the class global, and who uses each Service.
// Updated per changed Ingress; answers "what must be translated again" by walking shared hosts.
import type { V1Ingress } from '../store/cluster-state.js';
import { objectRef } from '../store/cluster-state.js';
import { CATCH_ALL_HOST } from '../translate/hosts.js';
import type { IngressShape } from './ingress-shape.js';
import { shapeOf } from './ingress-shape.js';

interface Member {
  ingress: V1Ingress;
  shape: IngressShape;
}

/** What a change re-translates: these Ingresses (current versions), owning these hosts. */
export interface Scope {
  ingresses: V1Ingress[];
  /** Every host whose virtual host may change: the scope's hosts before and after. */
  hosts: Set<string>;
  /** `Ingress namespace/name` of every Ingress in the scope, and of those that left the fleet. */
  refs: Set<string>;
}

export class FleetIndex {
  private readonly members = new Map<string, Member>();
  private readonly byHost = new Map<string, Set<string>>();
  private readonly byService = new Map<string, Set<string>>();
  private readonly anchors = new Set<string>();
  private readonly globals = new Set<string>();

  /** @param ingresses keyed `namespace/name`, as the watch caches key them. */
  constructor(ingresses: Iterable<[string, V1Ingress]> = []) {
    for (const [key, ingress] of ingresses) this.set(key, ingress);
  }

  get(key: string): V1Ingress | undefined {
    return this.members.get(key)?.ingress;
  }

  /** Some Ingress of the class needs every host of it (www twins, aliases). */
  get isGlobal(): boolean {
    return this.globals.size > 0;
  }

  usesService(service: string): boolean {
    return this.byService.has(service);
  }

  set(key: string, ingress: V1Ingress): void {
    this.delete(key);
    const shape = shapeOf(ingress);
    this.members.set(key, { ingress, shape });
    for (const host of shape.hosts) add(this.byHost, host, key);
    for (const service of shape.services) add(this.byService, service, key);
    if (shape.anchor) this.anchors.add(key);
    if (shape.global) this.globals.add(key);
  }

  delete(key: string): void {
    const member = this.members.get(key);
    if (!member) return;
    this.members.delete(key);
    for (const host of member.shape.hosts) remove(this.byHost, host, key);
    for (const service of member.shape.services) remove(this.byService, service, key);
    this.anchors.delete(key);
    this.globals.delete(key);
  }

  /** The hosts one member's rules name (none when it is not a member). */
  hostsOf(key: string): readonly string[] {
    return this.members.get(key)?.shape.hosts ?? [];
  }

  /**
   * What re-translating `seeds` (changed Ingresses, present or not) and the users of `services`
   * takes: every Ingress that shares a host with them, transitively, plus the anchors (and theirs);
   * `formerHosts`: hosts the changed Ingresses named before the change.
   */
  scope(seeds: Iterable<string>, services: Iterable<string>, formerHosts: Iterable<string>, formerRefs: Iterable<string>): Scope {
    const keys = new Set<string>();
    const hosts = new Set<string>();
    const queue: string[] = [];
    const visitHost = (host: string): void => {
      if (hosts.has(host)) return;
      hosts.add(host);
      for (const key of this.byHost.get(host) ?? []) visitIngress(key);
    };
    const visitIngress = (key: string): void => {
      if (keys.has(key) || !this.members.has(key)) return;
      keys.add(key);
      queue.push(key);
    };
    for (const key of [...seeds, ...this.anchors]) visitIngress(key);
    for (const service of services) for (const key of this.byService.get(service) ?? []) visitIngress(key);
    for (const host of formerHosts) visitHost(host);
    // The catch-all virtual host is made by the anchors alone (a default backend makes one even
    // without a hostless rule): a scope with anchors makes it again.
    if (this.anchors.size > 0) visitHost(CATCH_ALL_HOST);
    while (queue.length > 0) for (const host of this.hostsOf(queue.pop() as string)) visitHost(host);
    const ingresses = [...keys].map((key) => this.get(key) as V1Ingress);
    return { ingresses, hosts, refs: new Set([...ingresses.map((i) => objectRef('Ingress', i.metadata)), ...formerRefs]) };
  }
}

function add(index: Map<string, Set<string>>, name: string, key: string): void {
  const set = index.get(name) ?? new Set<string>();
  set.add(key);
  index.set(name, set);
}

function remove(index: Map<string, Set<string>>, name: string, key: string): void {
  const set = index.get(name);
  set?.delete(key);
  if (set?.size === 0) index.delete(name);
}
