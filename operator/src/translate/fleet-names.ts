// One fleet name, one class: two classes serving the same node.cluster would overwrite each
// other's configuration on every reconcile. A class named like the fleet keeps it (that is the
// default, and renaming another class's fleet onto it must not steal it); otherwise the class
// that sorts first does. The loser is not accepted and keeps its last good configuration.
import { compareStrings } from '../util/compare.js';
import type { ClassParameters } from './parameters/resolve-class-parameters.js';
import { describeRef } from './parameters/resolve-class-parameters.js';

export function fleetNameOf(resolved: ClassParameters): string | undefined {
  return resolved.accepted ? (resolved.parameters.fleet ?? resolved.ingressClass) : undefined;
}

/** Returns the classes in the same order, with those that lost their fleet name rejected. */
export function assignFleets(classes: ClassParameters[]): ClassParameters[] {
  const claims = classes
    .filter((c) => c.accepted)
    .sort((a, b) => Number(fleetNameOf(a) !== a.ingressClass) - Number(fleetNameOf(b) !== b.ingressClass) || compareStrings(a.ingressClass, b.ingressClass));
  const owner = new Map<string, string>();
  for (const claim of claims) {
    const fleet = fleetNameOf(claim) ?? '';
    if (!owner.has(fleet)) owner.set(fleet, claim.ingressClass);
  }
  return classes.map((c) => {
    const fleet = fleetNameOf(c);
    const winner = fleet === undefined ? undefined : owner.get(fleet);
    if (fleet === undefined || winner === c.ingressClass) return c;
    // Only a class with parameters can lose: its own name is never another class's.
    const source = c.ref ? `spec.parameters: ${describeRef(c.ref)}: spec.fleet` : 'fleet';
    return {
      ingressClass: c.ingressClass,
      accepted: false,
      ...(c.ref ? { ref: c.ref } : {}),
      problems: [`${source} ${JSON.stringify(fleet)} is already served by IngressClass ${winner ?? ''}; give each class its own fleet; the class keeps serving its last good configuration`],
    };
  });
}
