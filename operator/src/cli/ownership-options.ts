// --controller-name and --ingress-classes, shared by `portico serve` and `portico translate`.
import { isControllerName } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';

/** Which IngressClasses this operator serves: --controller-name, and --ingress-classes when given. */
export function parseOwnership(options: { controllerName: string; ingressClasses?: string }): ClassOwnership {
  if (!isControllerName(options.controllerName)) {
    throw new Error(`--controller-name must be a domain-prefixed path as IngressClass spec.controller takes (e.g. portico.dev/ingress-controller), not ${JSON.stringify(options.controllerName)}`);
  }
  if (options.ingressClasses === undefined) return { controllerName: options.controllerName };
  const classes = options.ingressClasses.split(',').map((c) => c.trim()).filter(Boolean);
  if (classes.length === 0) throw new Error('--ingress-classes names no class');
  return { controllerName: options.controllerName, classes };
}
