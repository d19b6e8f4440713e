// Validates and defaults a parameters spec with the same rules as the CRD's schema and CEL rules,
// because manifests (standalone mode, `portico translate`) never passed an API server. Returns
// every problem at once, each naming its field.
import { isIP } from 'node:net';
import { isEnvoyMinorRelease } from '../../../../xds-server/src/index.js';
import { parseDurationMs } from './durations.js';
import { FieldReader } from './field-reader.js';
import type { FleetParameters, RouteDefaults, StatusAddress } from './fleet-parameters.js';
import type { ObjectName, RetryCondition } from './parameters-spec.js';
import { ACCESS_CONTROL_POLICIES, ACCESS_LOG_FORMATS, DEFAULT_PARAMETERS_SPEC, MAX_HSTS_MAX_AGE_SECONDS, MAX_RETRY_TRIES, REDIRECT_STATUS_CODES, RETRY_CONDITIONS, SAFE_RETRY_CONDITIONS, TLS_CIPHER_SUITES, TLS_VERSIONS } from './parameters-spec.js';
import type { TlsSpec } from './parameters-spec.js';
import { parseByteSize } from './quantities.js';

export const FLEET_NAME_PATTERN = '^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$';
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';
export const DNS_SUBDOMAIN_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** Envoy's max_request_headers_kb limit. */
export const MAX_REQUEST_HEADERS_KIB = 8192;
export const MAX_TRUSTED_HOPS = 16;
/** Envoy's buffer filter counts in a uint32. */
export const MAX_BODY_BYTES = 2 ** 32 - 1;
export const MAX_STATUS_ADDRESSES = 16;

const matches = (pattern: string, what: string) => (text: string): string | undefined =>
  new RegExp(pattern).test(text) ? undefined : `must be ${what}, not ${JSON.stringify(text)}`;
const ipAddress = (text: string): string | undefined => (isIP(text) ? undefined : `must be an IP address, not ${JSON.stringify(text)}`);

export function readParametersSpec(spec: unknown): { parameters: FleetParameters } | { problems: string[] } {
  const r = new FieldReader();
  const d = DEFAULT_PARAMETERS_SPEC;
  const root = r.object('spec', spec, ['fleet', 'listeners', 'statusAddress', 'timeouts', 'requestLimits', 'clientIP', 'accessLog', 'annotationFamilies', 'tls', 'envoy', 'retries', 'redirects']);

  const fleet = r.has(root, 'fleet') ? r.string('spec.fleet', root['fleet'], '', matches(FLEET_NAME_PATTERN, 'a lowercase name of letters, digits, "-" and "." (at most 253; it names the fleet in its client certificate and Secret)')) : undefined;

  const listeners = r.object('spec.listeners', root['listeners'], ['http', 'https']);
  const listener = (name: 'http' | 'https') => {
    const path = `spec.listeners.${name}`;
    const raw = r.object(path, listeners[name], ['address', 'port']);
    return {
      address: r.string(`${path}.address`, raw['address'], d.listeners[name].address, ipAddress),
      port: r.integer(`${path}.port`, raw['port'], d.listeners[name].port, 1, 65535),
    };
  };
  const httpListener = listener('http');
  const httpsListener = listener('https');
  if (httpListener.port === httpsListener.port) r.problem('spec.listeners', `https.port must differ from http.port (both are ${httpListener.port})`);

  const statusAddress = readStatusAddress(r, root['statusAddress']);

  const rawTimeouts = r.object('spec.timeouts', root['timeouts'], ['connect', 'request', 'requestHeaders', 'idle', 'streamIdle', 'backendIdle']);
  const duration = (field: keyof typeof d.timeouts): number => {
    const path = `spec.timeouts.${field}`;
    const text = r.string(path, rawTimeouts[field], d.timeouts[field]);
    const ms = parseDurationMs(text);
    if (ms === undefined) {
      r.problem(path, `must be a duration such as 5s, 1m30s or 250ms, not ${JSON.stringify(text)}`);
      return parseDurationMs(d.timeouts[field]) ?? 0;
    }
    return ms;
  };
  const timeouts = { connectMs: duration('connect'), requestMs: duration('request'), requestHeadersMs: duration('requestHeaders'), idleMs: duration('idle'), streamIdleMs: duration('streamIdle') };
  if (timeouts.connectMs === 0) r.problem('spec.timeouts.connect', 'must be greater than 0s');
  const backendIdleTimeoutMs = duration('backendIdle');

  const limits = r.object('spec.requestLimits', root['requestLimits'], ['maxRequestHeadersKiB', 'maxBodySize']);
  const maxRequestHeadersKiB = r.integer('spec.requestLimits.maxRequestHeadersKiB', limits['maxRequestHeadersKiB'], d.requestLimits.maxRequestHeadersKiB, 1, MAX_REQUEST_HEADERS_KIB);
  const bodySize = r.string('spec.requestLimits.maxBodySize', limits['maxBodySize'], d.requestLimits.maxBodySize);
  let maxRequestBodyBytes = parseByteSize(bodySize);
  if (maxRequestBodyBytes === undefined) {
    r.problem('spec.requestLimits.maxBodySize', `must be a size such as 0 (no limit), 512Ki, 8Mi or 10M, not ${JSON.stringify(bodySize)}`);
    maxRequestBodyBytes = 0;
  } else if (maxRequestBodyBytes > MAX_BODY_BYTES) {
    r.problem('spec.requestLimits.maxBodySize', `must be less than 4Gi, not ${bodySize}`);
  }

  const clientIP = r.object('spec.clientIP', root['clientIP'], ['useRemoteAddress', 'xffNumTrustedHops']);
  const accessLog = r.object('spec.accessLog', root['accessLog'], ['enabled', 'format']);
  const accessLogEnabled = r.boolean('spec.accessLog.enabled', accessLog['enabled'], d.accessLog.enabled);
  const accessLogFormat = r.oneOf('spec.accessLog.format', accessLog['format'], d.accessLog.format, ACCESS_LOG_FORMATS);
  const families = r.object('spec.annotationFamilies', root['annotationFamilies'], ['nginx', 'unhonouredAccessControl']);
  const tls = readTls(r, root['tls']);
  const envoy = r.object('spec.envoy', root['envoy'], ['version', 'virtualHostDiscovery']);
  const envoyVersion = r.has(envoy, 'version')
    ? r.string('spec.envoy.version', envoy['version'], '', (text) => (isEnvoyMinorRelease(text) ? undefined : `must be an Envoy minor release such as "1.37", not ${JSON.stringify(text)}`))
    : undefined;

  const parameters: FleetParameters = {
    httpListener,
    httpsListener,
    timeouts,
    maxRequestHeadersKiB,
    maxRequestBodyBytes,
    useRemoteAddress: r.boolean('spec.clientIP.useRemoteAddress', clientIP['useRemoteAddress'], d.clientIP.useRemoteAddress),
    xffNumTrustedHops: r.integer('spec.clientIP.xffNumTrustedHops', clientIP['xffNumTrustedHops'], d.clientIP.xffNumTrustedHops, 0, MAX_TRUSTED_HOPS),
    nginxAnnotations: r.boolean('spec.annotationFamilies.nginx', families['nginx'], d.annotationFamilies.nginx),
    unhonouredAccessControl: r.oneOf('spec.annotationFamilies.unhonouredAccessControl', families['unhonouredAccessControl'], d.annotationFamilies.unhonouredAccessControl, ACCESS_CONTROL_POLICIES),
    tls,
    envoy: {
      ...(envoyVersion !== undefined ? { version: envoyVersion } : {}),
      virtualHostDiscovery: r.boolean('spec.envoy.virtualHostDiscovery', envoy['virtualHostDiscovery'], d.envoy.virtualHostDiscovery),
    },
    routeDefaults: readRouteDefaults(r, root, backendIdleTimeoutMs),
  };
  if (fleet !== undefined) parameters.fleet = fleet;
  if (statusAddress) parameters.statusAddress = statusAddress;
  if (accessLogEnabled) parameters.accessLog = { format: accessLogFormat };
  return r.problems.length > 0 ? { problems: r.problems } : { parameters };
}

/** What every route of the class gets unless its Ingress's annotations say otherwise. */
function readRouteDefaults(r: FieldReader, root: Record<string, unknown>, backendIdleTimeoutMs: number): RouteDefaults {
  const d = DEFAULT_PARAMETERS_SPEC;
  const retries = r.object('spec.retries', root['retries'], ['on', 'tries', 'nonIdempotent']);
  const on: RetryCondition[] = r.has(retries, 'on') ? [] : [...d.retries.on];
  r.list('spec.retries.on', retries['on'], 0, RETRY_CONDITIONS.length).forEach((item, i) => {
    const path = `spec.retries.on[${i}]`;
    const condition = r.oneOf<RetryCondition | ''>(path, item, '', RETRY_CONDITIONS);
    if (condition === '') return;
    if (on.includes(condition)) r.problem('spec.retries.on', `must not list a condition twice: ${JSON.stringify(condition)}`);
    else on.push(condition);
  });
  const tries = r.integer('spec.retries.tries', retries['tries'], d.retries.tries, 1, MAX_RETRY_TRIES);
  const nonIdempotent = r.boolean('spec.retries.nonIdempotent', retries['nonIdempotent'], d.retries.nonIdempotent);
  const redirects = r.object('spec.redirects', root['redirects'], ['statusCode']);
  const statusCode = r.integer('spec.redirects.statusCode', redirects['statusCode'], d.redirects.statusCode, -Infinity, Infinity);
  const redirectCode = REDIRECT_STATUS_CODES.find((code) => code === statusCode);
  if (redirectCode === undefined) r.problem('spec.redirects.statusCode', `must be one of ${REDIRECT_STATUS_CODES.join(', ')}, not ${statusCode}`);
  return {
    backendIdleTimeoutMs,
    retry: {
      on,
      tries,
      idempotentOnly: !nonIdempotent && on.some((condition) => !(SAFE_RETRY_CONDITIONS as readonly string[]).includes(condition)),
    },
    redirectCode: redirectCode ?? d.redirects.statusCode,
  };
}

function readTls(r: FieldReader, value: unknown): TlsSpec {
  const d = DEFAULT_PARAMETERS_SPEC.tls;
  const tls = r.object('spec.tls', value, ['minimumVersion', 'defaultCertificate', 'cipherSuites', 'hsts']);
  const hsts = r.object('spec.tls.hsts', tls['hsts'], ['enabled', 'maxAgeSeconds', 'includeSubDomains', 'preload']);
  const spec: TlsSpec = {
    minimumVersion: r.oneOf('spec.tls.minimumVersion', tls['minimumVersion'], d.minimumVersion, TLS_VERSIONS),
    hsts: {
      enabled: r.boolean('spec.tls.hsts.enabled', hsts['enabled'], d.hsts.enabled),
      maxAgeSeconds: r.integer('spec.tls.hsts.maxAgeSeconds', hsts['maxAgeSeconds'], d.hsts.maxAgeSeconds, 0, MAX_HSTS_MAX_AGE_SECONDS),
      includeSubDomains: r.boolean('spec.tls.hsts.includeSubDomains', hsts['includeSubDomains'], d.hsts.includeSubDomains),
      preload: r.boolean('spec.tls.hsts.preload', hsts['preload'], d.hsts.preload),
    },
  };
  if (r.has(tls, 'defaultCertificate')) spec.defaultCertificate = readObjectName(r, 'spec.tls.defaultCertificate', tls['defaultCertificate'], DNS_SUBDOMAIN_PATTERN);
  if (r.has(tls, 'cipherSuites')) {
    const suites = r.list('spec.tls.cipherSuites', tls['cipherSuites'], 1, TLS_CIPHER_SUITES.length);
    spec.cipherSuites = suites.map((suite, i) => r.oneOf(`spec.tls.cipherSuites[${i}]`, suite, TLS_CIPHER_SUITES[0], TLS_CIPHER_SUITES));
  }
  return spec;
}

function readStatusAddress(r: FieldReader, value: unknown): StatusAddress | undefined {
  if (value === undefined || value === null) return undefined;
  const raw = r.object('spec.statusAddress', value, ['service', 'addresses']);
  const hasService = r.has(raw, 'service');
  if (hasService === r.has(raw, 'addresses')) {
    r.problem('spec.statusAddress', 'set exactly one of service or addresses');
    return undefined;
  }
  if (hasService) {
    const service = readObjectName(r, 'spec.statusAddress.service', raw['service'], DNS_LABEL_PATTERN);
    return { kind: 'service', ...service };
  }
  const addresses = r.list('spec.statusAddress.addresses', raw['addresses'], 1, MAX_STATUS_ADDRESSES).map((address, i) =>
    r.string(`spec.statusAddress.addresses[${i}]`, address, '', (text) =>
      isIP(text) || new RegExp(DNS_SUBDOMAIN_PATTERN).test(text) ? undefined : `must be an IP address or a lowercase DNS name, not ${JSON.stringify(text)}`,
    ),
  );
  return { kind: 'fixed', addresses };
}

function readObjectName(r: FieldReader, path: string, value: unknown, namePattern: string): ObjectName {
  const raw = r.object(path, value, ['namespace', 'name']);
  for (const field of ['namespace', 'name']) if (!r.has(raw, field)) r.problem(`${path}.${field}`, 'is required');
  return {
    namespace: r.string(`${path}.namespace`, raw['namespace'], '', matches(DNS_LABEL_PATTERN, 'a namespace name')),
    name: r.string(`${path}.name`, raw['name'], '', matches(namePattern, 'an object name')),
  };
}
