// How Envoy connects to one Ingress's backends and picks an endpoint: backend-protocol,
// load-balance, upstream-hash-by, cookie affinity, proxy-connect-timeout and service-upstream.
// These are cluster settings, so an Ingress that sets any gets a cluster of its own for the
// Service port (translate/clusters.ts): they never change another Ingress's backends.
import type { IrClusterSettings, IrHashPolicy } from '../../ir/types.js';
import { quoted } from '../../util/characters.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

export const UPSTREAM_ROWS: readonly AnnotationEntry[] = [
  { name: 'backend-protocol', support: 'honoured', note: 'HTTP, HTTPS, GRPC, GRPCS, AUTO_HTTP (case-insensitive); HTTPS/GRPCS backends are not verified, as in ingress-nginx without proxy-ssl-verify; FCGI and AJP are refused' },
  { name: 'proxy-connect-timeout', support: 'honoured' },
  { name: 'load-balance', support: 'approximated', note: '`ewma` becomes least-request (Envoy has no EWMA balancer); `round_robin` is the default' },
  { name: 'upstream-hash-by', support: 'approximated', note: 'one of $remote_addr, $binary_remote_addr, $request_uri, $uri, $http_NAME, $arg_NAME, $cookie_NAME, on a ring hash; combinations of variables are refused' },
  { name: 'upstream-hash-by-subset', support: 'unsupported' },
  { name: 'upstream-hash-by-subset-size', support: 'unsupported' },
  { name: 'affinity', support: 'approximated', note: '`cookie`: a ring hash over the cookie, which Envoy sets when absent. While the endpoints stay the same a client keeps its endpoint; when they change about 1/N of clients move' },
  { name: 'affinity-mode', support: 'approximated', note: '`persistent` behaves as `balanced` (the ring hash)' },
  { name: 'affinity-canary-behavior', support: 'unsupported' },
  { name: 'session-cookie-name', support: 'honoured', note: 'default INGRESSCOOKIE' },
  { name: 'session-cookie-path', support: 'honoured', note: 'default: the path of the route' },
  { name: 'session-cookie-max-age', support: 'honoured', note: 'seconds; without it (and session-cookie-expires) a session cookie' },
  { name: 'session-cookie-expires', support: 'approximated', note: 'seconds, used as Max-Age (Envoy sets no Expires)' },
  { name: 'session-cookie-samesite', support: 'honoured' },
  { name: 'session-cookie-conditional-samesite-none', support: 'unsupported' },
  { name: 'session-cookie-secure', support: 'honoured' },
  { name: 'session-cookie-domain', support: 'honoured' },
  { name: 'session-cookie-change-on-failure', support: 'unsupported', note: 'the ring hash moves a client only when its endpoint leaves' },
  { name: 'service-upstream', support: 'honoured', note: 'the Service\'s ClusterIP is the one endpoint; kube-proxy balances' },
];

export interface UpstreamOptions {
  /** Settings this Ingress asks for; unset fields keep what the Service port says (appProtocol). */
  settings: Partial<IrClusterSettings>;
  hash?: IrHashPolicy;
  /** Send to the Service's ClusterIP instead of its endpoints. */
  serviceUpstream: boolean;
}

const PROTOCOLS = ['HTTP', 'HTTPS', 'GRPC', 'GRPCS', 'AUTO_HTTP', 'FCGI', 'AJP'] as const;
const SAMESITE = ['None', 'Lax', 'Strict'] as const;

export function readUpstreamOptions(reader: AnnotationReader): UpstreamOptions {
  const options: UpstreamOptions = { settings: {}, serviceUpstream: reader.flag('service-upstream', false) };
  const protocol = reader.oneOf('backend-protocol', PROTOCOLS, { caseInsensitive: true });
  if (protocol === 'FCGI' || protocol === 'AJP') reader.error('backend-protocol', `${protocol} backends are not supported; HTTP is used`);
  else if (protocol === 'HTTPS' || protocol === 'GRPCS') Object.assign(options.settings, { protocol: protocol === 'GRPCS' ? 'http2' : 'http1', tls: {} });
  else if (protocol === 'GRPC') options.settings.protocol = 'http2';
  else if (protocol === 'AUTO_HTTP') options.settings.protocol = 'downstream';
  else if (protocol === 'HTTP') options.settings.protocol = 'http1';

  const connect = reader.seconds('proxy-connect-timeout', 3600);
  if (connect === 0) reader.error('proxy-connect-timeout', 'must be at least 1 second; ignored');
  else if (connect !== undefined) options.settings.connectTimeoutMs = connect * 1000;

  const balance = reader.oneOf('load-balance', ['round_robin', 'ewma'] as const);
  if (balance === 'ewma') options.settings.balancing = 'leastRequest';
  else if (balance === 'round_robin') options.settings.balancing = 'roundRobin';

  const hash = readAffinity(reader) ?? readHashBy(reader);
  if (hash) {
    options.hash = hash;
    options.settings.balancing = 'ringHash';
  }
  return options;
}

function readAffinity(reader: AnnotationReader): IrHashPolicy | undefined {
  const affinity = reader.oneOf('affinity', ['cookie'] as const);
  reader.oneOf('affinity-mode', ['balanced', 'persistent'] as const);
  const cookieRead = (): IrHashPolicy => {
    const name = reader.token('session-cookie-name', 'a cookie name') ?? 'INGRESSCOOKIE';
    const maxAge = reader.seconds('session-cookie-max-age', 2 ** 31 - 1) ?? reader.seconds('session-cookie-expires', 2 ** 31 - 1) ?? 0;
    const cookie: IrHashPolicy = { kind: 'cookie', name, ttlSeconds: maxAge };
    const path = reader.token('session-cookie-path', 'a path');
    if (path !== undefined) cookie.path = path;
    const attributes = [];
    const sameSite = reader.oneOf('session-cookie-samesite', SAMESITE, { caseInsensitive: true });
    if (sameSite) attributes.push({ name: 'SameSite', value: sameSite });
    if (reader.flag('session-cookie-secure', false)) attributes.push({ name: 'Secure', value: '' });
    const domain = reader.token('session-cookie-domain', 'a domain');
    if (domain !== undefined) attributes.push({ name: 'Domain', value: domain });
    if (attributes.length > 0) cookie.attributes = attributes;
    return cookie;
  };
  if (affinity === 'cookie') return cookieRead();
  for (const name of ['session-cookie-name', 'session-cookie-path', 'session-cookie-max-age', 'session-cookie-expires', 'session-cookie-samesite', 'session-cookie-secure', 'session-cookie-domain']) {
    if (reader.raw(name) !== undefined) reader.warn(name, 'has no effect without affinity: "cookie"');
  }
  return undefined;
}

/** One nginx variable; a combination (`$host$request_uri`) cannot be hashed by one Envoy policy. */
function readHashBy(reader: AnnotationReader): IrHashPolicy | undefined {
  const value = reader.raw('upstream-hash-by');
  if (value === undefined) return undefined;
  const variable = value.trim();
  if (variable === '$remote_addr' || variable === '$binary_remote_addr') return { kind: 'sourceIp' };
  if (variable === '$request_uri' || variable === '$uri') return { kind: 'header', name: ':path' };
  const named = /^\$(http|arg|cookie)_([A-Za-z0-9_-]+)$/.exec(variable);
  if (named?.[1] === 'http') return { kind: 'header', name: (named[2] ?? '').replace(/_/g, '-').toLowerCase() };
  if (named?.[1] === 'arg') return { kind: 'queryParameter', name: named[2] ?? '' };
  if (named?.[1] === 'cookie') return { kind: 'cookie', name: named[2] ?? '' };
  reader.error('upstream-hash-by', `${quoted(value)} is not one nginx variable Portico can hash on ($remote_addr, $request_uri, $http_NAME, $arg_NAME, $cookie_NAME); round robin applies`);
  return undefined;
}
