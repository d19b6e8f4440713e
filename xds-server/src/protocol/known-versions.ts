// What one Delta client holds of one resource type, as far as the server knows: name → version,
// or null for a name it was told does not exist. Kept as a shared base plus a small overlay,
// because a stream that is up to date holds exactly what a TypeSnapshot holds: a thousand Envoys
// each copying 50,000 name → version entries into a Map of their own ran the server out of heap
// at 10,000 Ingresses. The base is the type snapshot the stream was last brought up to date with
// (shared by every stream in sync); the overlay records where the client differs from it.
import type { TypeSnapshot } from '../cache/fleet-snapshot.js';
import type { DeltaSubscription } from './delta-subscription.js';

/** In the overlay: the client does not hold this name, whatever the base says. */
const NOT_HELD = undefined;

export class KnownVersions {
  /**
   * Every resource of the base that the subscription includes is held at the base's version,
   * unless the overlay says otherwise. Resources the subscription does not include are not held,
   * so narrowing a subscription needs no bookkeeping; widening it by wildcard detaches the base
   * (names subscribed one by one are sent anyway: delta-protocol.ts forces them).
   */
  private base?: TypeSnapshot;
  private readonly overlay = new Map<string, string | null | typeof NOT_HELD>();

  constructor(private readonly subscription: DeltaSubscription) {}

  get(name: string): string | null | undefined {
    if (this.overlay.has(name)) return this.overlay.get(name);
    const resource = this.base?.resources.get(name);
    return resource && this.subscription.includes(name, resource.inWildcard) ? resource.version : undefined;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, version: string | null): void {
    this.overlay.set(name, version);
  }

  delete(name: string): void {
    if (this.base?.resources.has(name)) this.overlay.set(name, NOT_HELD);
    else this.overlay.delete(name);
  }

  /** The client holds none of a VHDS namespace's members (it subscribed to it anew). */
  forgetNamespace(namespace: string): void {
    for (const member of this.base?.namespaces.get(namespace) ?? []) this.delete(member);
  }

  /** Held names not in `type`, with a version: what a response may have to remove. */
  *missingFrom(type: TypeSnapshot): Generator<string> {
    for (const [name, version] of this.overlay) if (version != null && !type.resources.has(name)) yield name;
    if (this.base === type) return;
    for (const [name, resource] of this.base?.resources ?? []) {
      if (!type.resources.has(name) && !this.overlay.has(name) && this.subscription.includes(name, resource.inWildcard)) yield name;
    }
  }

  /** Forgets overlay entries the subscription no longer covers (the base ones go by themselves). */
  forgetUncovered(): void {
    for (const name of this.overlay.keys()) if (!this.subscription.covers(name)) this.overlay.delete(name);
  }

  /**
   * The subscription is about to grow by wildcard: what the base stood for becomes explicit
   * entries for the names the subscription includes now, so the base cannot claim the rest.
   */
  detachBase(): void {
    const base = this.base;
    if (!base) return;
    for (const [name, resource] of base.resources) {
      if (!this.overlay.has(name) && this.subscription.includes(name, resource.inWildcard)) this.overlay.set(name, resource.version);
    }
    this.base = undefined;
    for (const [name, version] of this.overlay) if (version === NOT_HELD) this.overlay.delete(name);
  }

  /**
   * The client now holds every resource of `type` its subscription includes, at that version
   * (a response made it so, or nothing differed): `type` becomes the base. Only what the base
   * cannot say stays in the overlay: names `type` lacks that the client still holds (told
   * missing, or removals held back until routes stop using them).
   */
  rebase(type: TypeSnapshot): void {
    const previous = this.base;
    if (previous && previous !== type) {
      // Held names of the old base that `type` lacks must survive it; usually `since` lists them.
      const gone = type.since?.fromVersion === previous.version ? type.since.removed : [...previous.resources.keys()].filter((name) => !type.resources.has(name));
      for (const name of gone) {
        const resource = previous.resources.get(name);
        if (resource && !this.overlay.has(name) && this.subscription.includes(name, resource.inWildcard)) this.overlay.set(name, resource.version);
      }
    }
    this.base = type;
    // Deleting the entry being visited is safe in a Map iteration.
    for (const [name, version] of this.overlay) if (version === NOT_HELD || type.resources.has(name)) this.overlay.delete(name);
  }

  /** Overlay size: how much this stream keeps beyond the shared base (the tests check it). */
  get ownEntries(): number {
    return this.overlay.size;
  }
}
