// Allow and deny lists of client addresses (the *-source-range annotations): Envoy's RBAC filter,
// off on the listener and turned on by each route's RBACPerRoute. One ALLOW policy says who may
// pass: not in the deny list, and in the allow list when there is one (nginx's `deny …; allow …;
// deny all;`, first match wins). Anyone else gets 403. `remote_ip` is the client address after the
// listener's X-Forwarded-For trust (use_remote_address, xff_num_trusted_hops), as nginx's
// $remote_addr after its real-IP module; `direct_remote_ip` would be the TCP peer.
import { isIP } from 'node:net';
import type { CidrRange, Principal, RBAC, RBACPerRoute } from '../../../../xds-server/src/index.js';
import { RBAC_PER_ROUTE_TYPE, RBAC_TYPE } from '../../../../xds-server/src/index.js';
import type { IrSourceRanges } from '../../ir/types.js';
import type { HttpFilterFeature } from './http-filter.js';

/** The policy's name: it shows in Envoy's RBAC stats and debug logs. */
export const SOURCE_RANGES_POLICY = 'source-ranges';

export const rbacFilter: HttpFilterFeature = {
  name: 'envoy.filters.http.rbac',
  routeConfig(route) {
    const ranges = route.policy?.sourceRanges;
    return ranges === undefined ? undefined : { '@type': RBAC_PER_ROUTE_TYPE, ...sourceRangesRbac(ranges) };
  },
  listenerFilter(_fleet, usedByRoutes) {
    if (!usedByRoutes) return undefined;
    // No rules: were it ever on for a route without a config of its own, it would refuse nothing.
    const config: RBAC = {};
    return { name: this.name, typed_config: { '@type': RBAC_TYPE, ...config }, disabled: true };
  },
};

export function sourceRangesRbac(ranges: IrSourceRanges): RBACPerRoute {
  const conditions: Principal[] = [];
  if (ranges.deny.length > 0) conditions.push({ not_id: anyOf(ranges.deny) });
  if (ranges.allow.length > 0) conditions.push(anyOf(ranges.allow));
  // Empty lists never reach here (the reader leaves such a policy out); refuse everyone if they do.
  const principal: Principal = conditions.length === 1 ? (conditions[0] as Principal) : conditions.length > 1 ? { and_ids: { ids: conditions } } : { not_id: { any: true } };
  return {
    rbac: {
      rules: {
        action: 'ALLOW',
        policies: { [SOURCE_RANGES_POLICY]: { permissions: [{ any: true }], principals: [principal] } },
      },
    },
  };
}

function anyOf(cidrs: string[]): Principal {
  const ids = cidrs.map((cidr): Principal => ({ remote_ip: cidrRange(cidr) }));
  return ids.length === 1 ? (ids[0] as Principal) : { or_ids: { ids } };
}

/** `10.0.0.0/8` → address and prefix length; a bare address is the whole address. */
export function cidrRange(cidr: string): CidrRange {
  const [address = '', prefix] = cidr.split('/');
  const length = prefix === undefined ? (isIP(address) === 6 ? 128 : 32) : Number(prefix);
  return { address_prefix: address, prefix_len: { value: length } };
}
