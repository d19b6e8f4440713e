// CORS (enable-cors and the cors-* annotations): Envoy's cors filter, off on the listener and
// turned on by each route's CorsPolicy. Envoy answers an allowed preflight itself (200) and adds
// the CORS headers to responses for an allowed Origin; it echoes that Origin, never `*`.
import type { Cors, CorsPolicy, StringMatcher } from '../../../../xds-server/src/index.js';
import { CORS_POLICY_TYPE, CORS_TYPE } from '../../../../xds-server/src/index.js';
import type { IrCors } from '../../ir/types.js';
import type { HttpFilterFeature } from './http-filter.js';

export const corsFilter: HttpFilterFeature = {
  name: 'envoy.filters.http.cors',
  routeConfig(route) {
    const cors = route.policy?.cors;
    return cors === undefined ? undefined : { '@type': CORS_POLICY_TYPE, ...corsPolicy(cors) };
  },
  listenerFilter(_fleet, usedByRoutes) {
    if (!usedByRoutes) return undefined;
    const config: Cors = {};
    return { name: this.name, typed_config: { '@type': CORS_TYPE, ...config }, disabled: true };
  },
};

export function corsPolicy(cors: IrCors): CorsPolicy {
  const anyOrigin = cors.allowOrigins.includes('*');
  // Envoy treats a matcher that matches "*" as any origin.
  const origins: StringMatcher[] = anyOrigin
    ? [{ exact: '*' }]
    : [...cors.allowOrigins.map((origin): StringMatcher => ({ exact: origin, ignore_case: true })), ...(cors.allowOriginRegexes ?? []).map((regex): StringMatcher => ({ safe_regex: { regex } }))];
  const policy: CorsPolicy = {
    allow_origin_string_match: origins,
    allow_methods: cors.allowMethods.join(', '),
    allow_headers: cors.allowHeaders.join(','),
    max_age: String(cors.maxAgeSeconds),
    // nginx sends `Access-Control-Allow-Origin: *` for any origin, next to which browsers ignore
    // Allow-Credentials; Envoy echoes the Origin instead, which would let every site make
    // credentialed requests. So no credentials with any origin: what browsers did with nginx.
    allow_credentials: { value: cors.allowCredentials && !anyOrigin },
    // nginx passes a preflight from an origin it does not allow to the backend; so does Envoy.
    forward_not_matching_preflights: { value: true },
  };
  if (cors.exposeHeaders.length > 0) policy.expose_headers = cors.exposeHeaders.join(',');
  return policy;
}
