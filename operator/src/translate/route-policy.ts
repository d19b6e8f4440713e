// An Ingress's route policy (from its annotations) as one route gets it: the affinity cookie
// takes the route's path unless session-cookie-path says otherwise, as ingress-nginx does.
import type { IrPathMatch, IrRoutePolicy } from '../ir/types.js';

/** The policy for one route of the Ingress; undefined when it asks for nothing. */
export function routePolicyFor(policy: IrRoutePolicy, match: IrPathMatch): IrRoutePolicy | undefined {
  if (Object.keys(policy).length === 0) return undefined;
  const hash = policy.hash;
  if (hash?.kind === 'cookie' && hash.ttlSeconds !== undefined && hash.path === undefined && match.kind !== 'regex') {
    return { ...policy, hash: { ...hash, path: match.path } };
  }
  return policy;
}
