// limit-rps / limit-rpm: Envoy's local rate limit filter, off on the listener and turned on per
// route. Each route counts per client address: a wildcard descriptor (`remote_address` with no
// value, Envoy ≥ 1.34) gives every address a token bucket of its own, as nginx's limit_req keyed
// on $binary_remote_addr. The address is the one the listener trusts (after the class's
// X-Forwarded-For hops), as nginx's $remote_addr after its real-IP module.
//
// The per-route config travels as an xds.type.v3.TypedStruct (JSON that Envoy converts with its own
// protos): the Envoy API Portico loads (that of @grpc/grpc-js-xds) predates wildcard descriptors
// (its protoc-gen-validate rules refuse an empty value) and max_dynamic_descriptors, so the server
// would refuse the message as invalid. local-rate-limit.test.ts checks the rest of it against the
// loaded protos.
import type { Any, LocalRateLimit } from '../../../../xds-server/src/index.js';
import { LOCAL_RATE_LIMIT_TYPE, TYPED_STRUCT_TYPE } from '../../../../xds-server/src/index.js';
import type { IrRateLimit, IrRequestRate } from '../../ir/types.js';
import type { HttpFilterFeature } from './http-filter.js';
import { toStruct } from './struct.js';
import type { JsonObject } from './struct.js';

/** Stats appear as http_local_rate_limit.* ("rate_limited", "ok", …). */
const STAT_PREFIX = 'http_local_rate_limit';
/**
 * Clients a route remembers (Envoy's default is 20). Past it the least recently seen is forgotten
 * and starts again with a full bucket, as nginx's zone forgets clients when it fills (ingress-nginx
 * gives each zone 5 MB, some 40 000 addresses). A bucket costs Envoy a few hundred bytes.
 */
export const CLIENTS_REMEMBERED = 16384;
/** The route's own bucket, consumed only by a request no descriptor matches (never: every request has an address). */
const UNLIMITED = 4294967295;
const ALWAYS = { default_value: { numerator: 100, denominator: 'HUNDRED' } };

const DESCRIPTOR_VALUE: Record<IrRequestRate['unit'], string> = { second: 'per-second', minute: 'per-minute' };

export const localRateLimitFilter: HttpFilterFeature = {
  name: 'envoy.filters.http.local_ratelimit',
  routeConfig(route) {
    const limit = route.policy?.rateLimit;
    return limit === undefined ? undefined : localRateLimitPerRoute(limit);
  },
  listenerFilter(_fleet, usedByRoutes) {
    if (!usedByRoutes) return undefined;
    // No token bucket: on for a route without a config of its own, it would limit nothing.
    const config: LocalRateLimit = { stat_prefix: STAT_PREFIX };
    return { name: this.name, typed_config: { '@type': LOCAL_RATE_LIMIT_TYPE, ...config }, disabled: true };
  },
};

export function localRateLimitPerRoute(limit: IrRateLimit): Any {
  return { '@type': TYPED_STRUCT_TYPE, type_url: LOCAL_RATE_LIMIT_TYPE, value: toStruct(localRateLimitJson(limit)) } as Any;
}

/** The per-route LocalRateLimit in proto3 JSON (snake_case field names, which Envoy accepts). */
export function localRateLimitJson(limit: IrRateLimit): JsonObject {
  return {
    stat_prefix: STAT_PREFIX,
    // nginx's limit-req-status-code default.
    status: { code: 'ServiceUnavailable' },
    token_bucket: { max_tokens: UNLIMITED, tokens_per_fill: UNLIMITED, fill_interval: '1s' },
    // Both default to 0 %: without them the filter neither counts nor refuses.
    filter_enabled: { ...ALWAYS, runtime_key: 'portico.local_rate_limit.enabled' },
    filter_enforced: { ...ALWAYS, runtime_key: 'portico.local_rate_limit.enforced' },
    always_consume_default_token_bucket: false,
    // One descriptor per limit: (which limit, client address). A request must pass every bucket it matches.
    rate_limits: limit.limits.map((rate): JsonObject => ({ actions: [{ generic_key: { descriptor_value: DESCRIPTOR_VALUE[rate.unit] } }, { remote_address: {} }] })),
    descriptors: limit.limits.map((rate) => ({
      entries: [{ key: 'generic_key', value: DESCRIPTOR_VALUE[rate.unit] }, { key: 'remote_address', value: '' }],
      token_bucket: tokenBucket(rate),
    })),
    max_dynamic_descriptors: CLIENTS_REMEMBERED,
  };
}

/**
 * nginx (burst, nodelay) lets a client send burst + 1 requests at once, then one per 1/rate: a
 * bucket of burst + 1 tokens refilled at the rate. Envoy refills dynamic buckets continuously at
 * tokens_per_fill per fill_interval, so 60 per minute is one a second, as nginx's 60r/m.
 */
function tokenBucket(rate: IrRequestRate): JsonObject {
  return { max_tokens: rate.burst + 1, tokens_per_fill: rate.requests, fill_interval: rate.unit === 'second' ? '1s' : '60s' };
}
