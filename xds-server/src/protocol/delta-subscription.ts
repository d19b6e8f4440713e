// What one Delta stream has asked for of one resource type. Unlike SotW, requests carry changes
// (subscribe / unsubscribe), not the full list. Wildcard is "*", or for Listener and Cluster the
// legacy form: no request so far subscribed to anything (xds_protocol.rst, "wildcard").
// VirtualHost names are namespaced (VHDS): subscribing to a route configuration's name means every
// virtual host of it, which is how Envoy subscribes (and then only asks for single hosts on demand).
import { virtualHostNamespace } from '../cache/virtual-host-discovery.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
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
  private readonly nameSet = new Set<string>();
  private readonly namespaced: boolean;

  constructor(private readonly kind: ResourceKind) {
    this.namespaced = kind === 'virtualHost';
  }

  get wildcard(): boolean {
    return supportsWildcard(this.kind) && (this.explicitWildcard || this.legacyWildcard);
  }

  get names(): ReadonlySet<string> {
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
    const subscribed: string[] = [];
    const added: string[] = [];
    for (const name of subscribe) {
      if (name === WILDCARD) this.explicitWildcard = true;
      else {
        if (!this.nameSet.has(name)) added.push(name);
        this.nameSet.add(name);
        subscribed.push(name);
      }
    }
    const unsubscribed: string[] = [];
    for (const name of unsubscribe) {
      if (name === WILDCARD) this.explicitWildcard = false;
      else if (this.nameSet.delete(name)) unsubscribed.push(name);
    }
    return { subscribed, added, unsubscribed, wildcardChanged: before !== this.wildcard };
  }

  /** For a status: "*" when wildcard, then up to STATUS_NAMES_SHOWN names. */
  describe(): string[] {
    return [...(this.wildcard ? [WILDCARD] : []), ...someNames(this.nameSet)];
  }
}
