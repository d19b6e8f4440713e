// The IR's own rules: what the Envoy stage may take for granted. translate/ must never produce a
// fleet that breaks them; buildEnvoyConfig checks every fleet before it is turned into Envoy
// resources and holds a class whose IR breaks them (a Portico bug) at its last good configuration,
// rather than sending Envoy something it would reject or that routes to nowhere.
import type { IrFleet, IrRoute } from './types.js';

/** Each broken rule as "path: what is wrong"; empty when the fleet is sound. */
export function validateIrFleet(fleet: IrFleet): string[] {
  const problems: string[] = [];
  const clusters = new Map(fleet.clusters.map((c) => [c.name, c]));
  const certificates = new Set(fleet.certificates.map((c) => c.name));
  sortedAndUnique(fleet.clusters.map((c) => c.name), 'clusters', problems);
  sortedAndUnique(fleet.certificates.map((c) => c.name), 'certificates', problems);
  if (new Set(fleet.virtualHosts.map((v) => v.host)).size !== fleet.virtualHosts.length) problems.push('virtualHosts: a host is listed twice');
  for (const chain of fleet.https?.chains ?? []) if (!certificates.has(chain.certificate)) problems.push(`https.chains: certificate ${chain.certificate} is not in certificates`);
  const fallback = fleet.https?.defaultCertificate;
  if (fallback !== undefined && !certificates.has(fallback)) problems.push(`https.defaultCertificate: ${fallback} is not in certificates`);
  const checkRoute = (route: IrRoute, where: string): void => {
    if (route.name === '' || route.origin === '') problems.push(`${where}: a route needs a name and an origin`);
    const { action, policy } = route;
    const used = [action.kind === 'forward' ? action.cluster : undefined, action.kind === 'forward' ? action.canary?.cluster : undefined, policy?.externalAuth?.cluster];
    for (const name of used) if (name !== undefined && !clusters.has(name)) problems.push(`${where}: cluster ${name} is not in clusters`);
    if (action.kind === 'forward' && policy?.hash && clusters.get(action.cluster)?.settings.balancing !== 'ringHash') problems.push(`${where}: hashes on a cluster that does not balance by hash`);
    if (action.kind === 'forward' && action.canary && (action.canary.weight < 0 || action.canary.weight > action.canary.totalWeight || action.canary.totalWeight <= 0)) problems.push(`${where}: canary weight outside 0..totalWeight`);
    for (const [field, value] of [['backendIdleTimeoutMs', policy?.backendIdleTimeoutMs], ['maxRequestBodyBytes', policy?.maxRequestBodyBytes]] as const) {
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) problems.push(`${where}: policy.${field} must be a whole number ≥ 0`);
    }
    if (policy?.retry && policy.retry.numRetries < 1) problems.push(`${where}: policy.retry needs at least one retry (write false for none)`);
  };
  for (const host of fleet.virtualHosts) {
    host.routes.forEach((route, i) => checkRoute(route, `virtualHosts[${host.host}].routes[${i}]`));
    (host.fallthrough ?? []).forEach((route, i) => checkRoute(route, `virtualHosts[${host.host}].fallthrough[${i}]`));
  }
  return problems;
}

function sortedAndUnique(names: string[], field: string, problems: string[]): void {
  for (let i = 1; i < names.length; i++) {
    const [before = '', after = ''] = [names[i - 1], names[i]];
    if (before >= after) problems.push(`${field}: ${JSON.stringify(after)} is out of order or repeated`);
  }
}
