// Whether an Ingress is in one of our classes, by the translator's own rule
// (translate/ingress-classes.ts selectIngressClasses: ingressClassName, else the legacy
// annotation, else the newest default class), over the IngressClasses seen so far.
import type { V1Ingress, V1IngressClass } from '../store/cluster-state.js';
import { emptyClusterState } from '../store/cluster-state.js';
import { selectIngressClasses } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';

export class ClassMembership {
  private readonly classes = new Map<string, V1IngressClass>();
  private list: V1IngressClass[] = [];

  constructor(private readonly ownership: ClassOwnership) {}

  set(key: string, ingressClass: V1IngressClass | undefined): void {
    if (ingressClass) this.classes.set(key, ingressClass);
    else this.classes.delete(key);
    this.list = [...this.classes.values()];
  }

  isOurs(ingress: V1Ingress): boolean {
    const { ingressesByClass } = selectIngressClasses({ ...emptyClusterState(), ingressClasses: this.list, ingresses: [ingress] }, this.ownership);
    for (const members of ingressesByClass.values()) if (members.length > 0) return true;
    return false;
  }
}
