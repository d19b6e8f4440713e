// Which per-filter configs guard access (RBAC, ext_authz, basic_auth, local_ratelimit): a proxyless
// client runs none of those filters, so a route they guard must not be served to it unguarded.
const ACCESS_CONTROL_CONFIGS: Readonly<Record<string, string>> = {
  'envoy.extensions.filters.http.rbac.v3.RBAC': 'an RBAC filter (source ranges)',
  'envoy.extensions.filters.http.rbac.v3.RBACPerRoute': 'an RBAC filter (source ranges)',
  'envoy.extensions.filters.http.ext_authz.v3.ExtAuthz': 'external authentication (ext_authz)',
  'envoy.extensions.filters.http.ext_authz.v3.ExtAuthzPerRoute': 'external authentication (ext_authz)',
  'envoy.extensions.filters.http.basic_auth.v3.BasicAuth': 'basic authentication',
  'envoy.extensions.filters.http.basic_auth.v3.BasicAuthPerRoute': 'basic authentication',
  'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit': 'a rate limit (local_ratelimit)',
};
const FILTER_CONFIG = 'envoy.config.route.v3.FilterConfig';
/** A config as JSON (Struct) with the type it stands for in `type_url`; Envoy converts it. */
const TYPED_STRUCTS = new Set(['xds.type.v3.TypedStruct', 'udpa.type.v1.TypedStruct']);
const TYPE_PREFIX = 'type.googleapis.com/';

/**
 * What guards access among per-filter configs, or undefined when nothing does. A config that only
 * turns its filter off (FilterConfig{disabled}, RBACPerRoute without rules, ExtAuthzPerRoute{disabled})
 * guards nothing. FilterConfig and TypedStruct wrappers are looked into; in their encoded form
 * they cannot be, so they count as guards.
 */
export function accessControlIn(configs: Readonly<Record<string, unknown>> | undefined): string | undefined {
  for (const [name, config] of Object.entries(configs ?? {})) {
    const guard = accessControlOf(config);
    if (guard !== undefined) return `${guard}, ${name}`;
  }
  return undefined;
}

function accessControlOf(config: unknown): string | undefined {
  if (!isRecord(config)) return undefined;
  const type = typeName(typeof config['@type'] === 'string' ? config['@type'] : config['type_url']);
  const encoded = config['@type'] === undefined;
  if (type === FILTER_CONFIG) {
    if (encoded) return 'a filter config Portico cannot read';
    return config['disabled'] === true ? undefined : accessControlOf(config['config']);
  }
  if (TYPED_STRUCTS.has(type)) return encoded ? 'a filter config Portico cannot read' : ACCESS_CONTROL_CONFIGS[typeName(config['type_url'])];
  const what = ACCESS_CONTROL_CONFIGS[type];
  if (what === undefined || encoded) return what;
  if (type.endsWith('.RBACPerRoute') && config['rbac'] == null) return undefined;
  if (type.endsWith('.ExtAuthzPerRoute') && config['disabled'] === true) return undefined;
  return what;
}

function typeName(typeUrl: unknown): string {
  if (typeof typeUrl !== 'string') return '';
  return typeUrl.startsWith(TYPE_PREFIX) ? typeUrl.slice(TYPE_PREFIX.length) : typeUrl;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
