// What one stream has asked for of one resource type, under the SotW rules of the xDS protocol:
// each request carries the full list; "*" asks for everything; for Listener and Cluster an empty
// list means "everything" until the client names something explicitly (legacy wildcard), after
// which an empty list means "nothing". The names are a NameSet (shared-name-set.ts), shared with
// every stream that asked for the same names.
import type { ResourceKind } from '../protos/envoy-protos.js';
import { NameSet } from './shared-name-set.js';
import { someNames } from './status-names.js';

export const WILDCARD = '*';

/** Only these kinds have wildcard semantics. */
export function supportsWildcard(kind: ResourceKind): boolean {
  return kind === 'listener' || kind === 'cluster';
}

export interface SubscriptionChange {
  /** Names newly asked for: they must be sent even if sent before. */
  added: string[];
  removed: string[];
  /** Wildcard was switched on or off. */
  wildcardChanged: boolean;
}

export class Subscription {
  private explicitNamesSeen = false;
  private wildcardFlag = false;
  private nameSet = NameSet.EMPTY;

  constructor(private readonly kind: ResourceKind) {}

  get wildcard(): boolean {
    return this.wildcardFlag;
  }

  get names(): ReadonlySet<string> {
    return this.nameSet.names;
  }

  /** Whether a resource of this name is part of what the client asked for. */
  includes(name: string, inWildcard: boolean): boolean {
    return this.nameSet.has(name) || (this.wildcardFlag && inWildcard);
  }

  /** Whether the client would hold a resource of this name, existing or not. */
  covers(name: string): boolean {
    return this.nameSet.has(name) || this.wildcardFlag;
  }

  /** Nothing asked for: no response is due. */
  get empty(): boolean {
    return !this.wildcardFlag && this.nameSet.size === 0;
  }

  update(resourceNames: readonly string[]): SubscriptionChange {
    const explicit = resourceNames.filter((name) => name !== WILDCARD);
    let wildcard = false;
    if (supportsWildcard(this.kind)) {
      if (resourceNames.includes(WILDCARD)) wildcard = true;
      else if (resourceNames.length === 0 && !this.explicitNamesSeen) wildcard = true;
    }
    if (resourceNames.length > 0) this.explicitNamesSeen = true;

    const next = new Set(explicit);
    // From the set, not the list: a name listed twice is added (and counted) once.
    const added = [...next].filter((name) => !this.nameSet.has(name));
    const removed = [...this.nameSet.names].filter((name) => !next.has(name));
    this.nameSet = this.nameSet.changed(added, removed);
    const wildcardChanged = wildcard !== this.wildcardFlag;
    this.wildcardFlag = wildcard;
    return { added, removed, wildcardChanged };
  }

  /** For a status: "*" when wildcard, then up to STATUS_NAMES_SHOWN names. */
  describe(): string[] {
    return [...(this.wildcardFlag ? [WILDCARD] : []), ...someNames(this.nameSet.names)];
  }
}
