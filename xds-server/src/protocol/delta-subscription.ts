// What one Delta stream has asked for of one resource type. Unlike SotW, requests carry changes
// (subscribe / unsubscribe), not the full list. Wildcard is "*", or for Listener and Cluster the
// legacy form: no request so far subscribed to anything (xds_protocol.rst, "wildcard").
// VirtualHost names are namespaced (VHDS): subscribing to a route configuration's name means every
// virtual host of it, which is how Envoy subscribes (and then only asks for single hosts on demand).
// The names are a NameSet (shared-name-set.ts): streams that subscribed to the same names share
// one immutable set, and a change moves this stream to another set without touching theirs.
import { virtualHostNamespace } from '../cache/virtual-host-discovery.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { NameSet } from './shared-name-set.js';
import { someNames } from './status-names.js';
import { WILDCARD, supportsWildcard } from './subscription.js';

export interface DeltaSubscriptionChange {
  /** Every name in resource_names_subscribe: each must be answered, even if the client has it. */
  subscribed: string[];
  /** Names that were not subscribed before (what the stream now holds in addition). */
  added: string[];
  /** Names that were subscribed and no longer are; phantom unsubscribes are left out. */
  unsubscribed: string[];
  wildcardChanged: boolean;
}

export class DeltaSubscription {
  private legacyWildcard = true;
  private explicitWildcard = false;
  private nameSet = NameSet.EMPTY;
  private readonly namespaced: boolean;

  constructor(private readonly kind: ResourceKind) {
    this.namespaced = kind === 'virtualHost';
  }

  get wildcard(): boolean {
    return supportsWildcard(this.kind) && (this.explicitWildcard || this.legacyWildcard);
  }

  get names(): ReadonlySet<string> {
    return this.nameSet.names;
  }

  /** The shared set the names are kept in (the tests check who shares it). */
  get nameSetShared(): NameSet {
    return this.nameSet;
  }

  /** Whether an existing resource is part of what the client asked for. */
  includes(name: string, inWildcard: boolean): boolean {
    return this.named(name) || (this.wildcard && inWildcard);
  }

  /** Whether the client would hold a resource of this name (used for names that no longer exist). */
  covers(name: string): boolean {
    return this.named(name) || this.wildcard;
  }

  /** Subscribed by its own name, or (VHDS) by its namespace's. */
  private named(name: string): boolean {
    if (this.nameSet.has(name)) return true;
    if (!this.namespaced) return false;
    const namespace = virtualHostNamespace(name);
    return namespace !== undefined && this.nameSet.has(namespace);
  }

  update(subscribe: readonly string[], unsubscribe: readonly string[]): DeltaSubscriptionChange {
    const before = this.wildcard;
    if (subscribe.length > 0) this.legacyWildcard = false;
    const current = this.nameSet;
    const subscribed: string[] = [];
    const added: string[] = [];
    // Names this request adds, and of the set's names those it removes: the change made to the set.
    const adding = new Set<string>();
    const removing = new Set<string>();
    for (const name of subscribe) {
      if (name === WILDCARD) this.explicitWildcard = true;
      else {
        if (!current.has(name) && !adding.has(name)) {
          added.push(name);
          adding.add(name);
        }
        subscribed.push(name);
      }
    }
    const unsubscribed: string[] = [];
    for (const name of unsubscribe) {
      if (name === WILDCARD) this.explicitWildcard = false;
      else if (adding.delete(name)) unsubscribed.push(name);
      else if (current.has(name) && !removing.has(name)) {
        removing.add(name);
        unsubscribed.push(name);
      }
    }
    if (adding.size > 0 || removing.size > 0) this.nameSet = current.changed([...adding], [...removing]);
    return { subscribed, added, unsubscribed, wildcardChanged: before !== this.wildcard };
  }

  /** For a status: "*" when wildcard, then up to STATUS_NAMES_SHOWN names. */
  describe(): string[] {
    return [...(this.wildcard ? [WILDCARD] : []), ...someNames(this.nameSet.names)];
  }
}
