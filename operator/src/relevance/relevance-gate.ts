// Decides what a watch event can change. Keeps its own view of the objects it needs to judge
// (Ingresses, IngressClasses, Services, EndpointSlices by Service) and the reference indexes, all
// updated from the events themselves. When unsure, an event matters: the verdict is a rebuild.
//
//   Ingress                  matters when it is (or was) in one of our classes: its scope is translated
//   IngressClass, parameters always matter
//   Service                  matters when an Ingress of ours refers to it, or it gives a status address
//   EndpointSlice            matters when its Service does; an endpoint update of the Services it
//                            leaves or joins (created, changed, deleted or relabelled)
//   Secret                   matters when an Ingress of ours (spec.tls) or a class's default certificate names it
//   same resourceVersion     never matters (a relist hands back what was already seen)
import type { ObjectChange } from '../sources/kubernetes/reflector.js';
import type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Service } from '../store/cluster-state.js';
import type { AddressSource } from '../status/load-balancer-address.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import type { ClassParameters } from '../translate/parameters/resolve-class-parameters.js';
import { ClassMembership } from './class-membership.js';
import { classReferences } from './class-references.js';
import type { ClassReferences } from './class-references.js';
import { ReferenceIndex } from './reference-index.js';
import { ingressReferences } from './references.js';
import { serviceOfSlice, SliceStore } from './slice-store.js';

export interface Verdict {
  /** Something a full translation reads changed in a way only it can follow. */
  rebuild: boolean;
  /** Ingresses (namespace/name) of ours (before or after) that changed: a translation of their scope follows. */
  ingresses: Set<string>;
  /** Services (namespace/name) whose slices changed and that an Ingress of ours uses. */
  endpoints: Set<string>;
  /** How many changes could not change any fleet's output. */
  skipped: number;
}

type Outcome = 'rebuild' | 'ingress' | 'endpoints' | 'skip';

interface Meta {
  metadata?: { resourceVersion?: string };
}

export class RelevanceGate {
  private readonly membership: ClassMembership;
  private readonly ingresses = new Map<string, V1Ingress>();
  private readonly services = new Map<string, V1Service>();
  readonly slices = new SliceStore();
  private readonly serviceRefs = new ReferenceIndex();
  private readonly secretRefs = new ReferenceIndex();
  private classRefs: ClassReferences;

  constructor(
    ownership: ClassOwnership,
    private readonly statusAddress?: AddressSource,
  ) {
    this.membership = new ClassMembership(ownership);
    this.classRefs = classReferences([], statusAddress);
  }

  /** The classes and their parameters as the last full translation read them. */
  classesTranslated(classes: readonly ClassParameters[]): void {
    this.classRefs = classReferences(classes, this.statusAddress);
  }

  service(key: string): V1Service | undefined {
    return this.services.get(key);
  }

  /** Records the changes and says what they can affect. */
  observe(changes: readonly ObjectChange[]): Verdict {
    const verdict: Verdict = { rebuild: false, ingresses: new Set(), endpoints: new Set(), skipped: 0 };
    for (const change of changes) {
      if (unchanged(change)) {
        verdict.skipped++;
        continue;
      }
      const outcome = this.apply(change, verdict.endpoints);
      if (outcome === 'rebuild') verdict.rebuild = true;
      else if (outcome === 'ingress') verdict.ingresses.add(change.key);
      else if (outcome === 'skip') verdict.skipped++;
    }
    return verdict;
  }

  /** Updates the view and indexes, and says what the change needs. */
  private apply(change: ObjectChange, endpoints: Set<string>): Outcome {
    return this.judge(change, endpoints) ?? 'endpoints';
  }

  /** undefined: an endpoint update, its Service added to `endpoints`. */
  private judge(change: ObjectChange, endpoints: Set<string>): Outcome | undefined {
    const { key } = change;
    switch (change.kind) {
      case 'Ingress': {
        const previous = change.previous as V1Ingress | undefined;
        const current = change.current as V1Ingress | undefined;
        // Judged before the index moves: an Ingress leaving our classes matters as much as one joining.
        const matters = (previous !== undefined && this.membership.isOurs(previous)) || (current !== undefined && this.membership.isOurs(current));
        if (current) {
          this.ingresses.set(key, current);
          const refs = ingressReferences(current);
          this.serviceRefs.set(key, refs.services);
          this.secretRefs.set(key, refs.secrets);
        } else {
          this.ingresses.delete(key);
          this.serviceRefs.delete(key);
          this.secretRefs.delete(key);
        }
        return matters ? 'ingress' : 'skip';
      }
      case 'IngressClass':
        this.membership.set(key, change.current as V1IngressClass | undefined);
        return 'rebuild';
      case 'Service': {
        const current = change.current as V1Service | undefined;
        if (current) this.services.set(key, current);
        else this.services.delete(key);
        return this.classRefs.services.has(key) || this.usedByOurs(this.serviceRefs, key) ? 'rebuild' : 'skip';
      }
      case 'EndpointSlice': {
        const previous = change.previous as V1EndpointSlice | undefined;
        const current = change.current as V1EndpointSlice | undefined;
        this.slices.set(key, previous, current);
        const before = serviceOfSlice(previous);
        const after = serviceOfSlice(current);
        const used = [...new Set([before, after])].filter((s): s is string => s !== undefined && this.usedByOurs(this.serviceRefs, s));
        if (used.length === 0) return 'skip';
        // Only the endpoints of the Services it leaves or joins can move (and, when it appears,
        // goes or changes Service, their resources' origins: ChangeRouter publishes those too).
        for (const service of used) endpoints.add(service);
        return undefined;
      }
      case 'Secret':
        return this.classRefs.secrets.has(key) || this.usedByOurs(this.secretRefs, key) ? 'rebuild' : 'skip';
      default:
        // IngressClassParameters, ClusterIngressClassParameters, and any kind added later.
        return 'rebuild';
    }
  }

  private usedByOurs(index: ReferenceIndex, target: string): boolean {
    for (const referrer of index.referrers(target)) {
      const ingress = this.ingresses.get(referrer);
      if (ingress && this.membership.isOurs(ingress)) return true;
    }
    return false;
  }
}

/** The same resourceVersion is the same object: nothing to do. */
function unchanged(change: ObjectChange): boolean {
  const before = (change.previous as Meta | undefined)?.metadata?.resourceVersion;
  const after = (change.current as Meta | undefined)?.metadata?.resourceVersion;
  return change.previous !== undefined && change.current !== undefined && before !== undefined && before !== '' && before === after;
}
