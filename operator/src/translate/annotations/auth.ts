// External authentication (auth-url and its companions): before forwarding, Envoy's ext_authz
// filter asks an HTTP auth service, as nginx's auth_request does, and forwards only on its yes
// (envoy/http-filters/ext-authz.ts). The auth URL is checked strictly (CVE-2025-24514 injected
// nginx configuration through it): an absolute http(s) URL naming an in-cluster Service, no nginx
// variables, no whitespace or control characters. Whatever Portico cannot honour closes the
// Ingress (its routes answer 503) rather than serve it with a weaker guard.
import { isIP } from 'node:net';
import { hasControlCharacter, quoted } from '../../util/characters.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

const WHY_NOT_ENVOY = 'Envoy\'s ext_authz cannot do this';

export const AUTH_ROWS: readonly AnnotationEntry[] = [
  { name: 'auth-url', support: 'approximated', accessControl: true, note: 'http or https URL of an in-cluster Service (`svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`); no nginx variables. The auth service receives the URL\'s path followed by the request\'s path (Envoy cannot call an exact URL), the client\'s Host, method and headers, no body; only 200 allows (nginx: any 2xx); unreachable gives 500. Other hosts close the Ingress' },
  { name: 'auth-response-headers', support: 'honoured', accessControl: true, note: 'the client\'s own values of these headers are removed first, as nginx does' },
  { name: 'auth-request-redirect', support: 'honoured', accessControl: true, note: 'sent as X-Auth-Request-Redirect; without it, the request\'s path and query' },
  { name: 'auth-method', support: 'refused', accessControl: true, note: `${WHY_NOT_ENVOY}: the auth request always has the client's method` },
  { name: 'auth-signin', support: 'refused', accessControl: true, note: `${WHY_NOT_ENVOY}: a 401 cannot become a redirect to a sign-in page per route` },
  { name: 'auth-signin-redirect-param', support: 'refused', accessControl: true, note: 'goes with auth-signin' },
  { name: 'auth-proxy-set-headers', support: 'refused', accessControl: true, note: 'needs a ConfigMap, which Portico does not read' },
  { name: 'auth-cache-key', support: 'refused', accessControl: true, note: `${WHY_NOT_ENVOY}: no caching of auth answers` },
  { name: 'auth-cache-duration', support: 'refused', accessControl: true, note: `${WHY_NOT_ENVOY}: no caching of auth answers` },
  { name: 'auth-keepalive', support: 'no-op', accessControl: true, note: 'Envoy keeps connections to the auth service open anyway' },
  { name: 'auth-keepalive-requests', support: 'no-op', accessControl: true, note: 'Envoy keeps connections to the auth service open anyway' },
  { name: 'auth-keepalive-timeout', support: 'no-op', accessControl: true, note: 'Envoy keeps connections to the auth service open anyway' },
  { name: 'auth-keepalive-share-vars', support: 'no-op', accessControl: true, note: 'Envoy keeps connections to the auth service open anyway' },
  { name: 'auth-always-set-cookie', support: 'refused', accessControl: true, note: `${WHY_NOT_ENVOY}: the auth service's Set-Cookie reaches the client on success only` },
];

/** The companions that mean nothing without auth-url (and, unread, would be reported as refused). */
const KEEPALIVE = ['auth-keepalive', 'auth-keepalive-requests', 'auth-keepalive-timeout', 'auth-keepalive-share-vars'];
const COMPANIONS = ['auth-response-headers', 'auth-request-redirect', ...KEEPALIVE];
/** Companions Portico cannot honour: they close the Ingress whenever set. */
const REFUSED = ['auth-method', 'auth-signin', 'auth-signin-redirect-param', 'auth-proxy-set-headers', 'auth-cache-key', 'auth-cache-duration', 'auth-always-set-cookie'];

/** The parts of an auth URL the translation needs; the host is resolved to a Service (translate/auth-services.ts). */
export interface AuthUrl {
  /** As written, trimmed. */
  url: string;
  scheme: 'http' | 'https';
  /** Lowercase, no port. */
  host: string;
  port: number;
  /** The URL's path, '' for `/` (Envoy appends the request's path, which starts with '/'). */
  path: string;
}

export interface ExternalAuthOptions {
  url: AuthUrl;
  responseHeaders: string[];
  requestRedirect?: string;
}

const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
/** Host names as Kubernetes writes Services (RFC 1123 labels); nothing nginx could read as syntax. */
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
/** Path characters of RFC 3986 (pchar and '/') without '$', so no nginx variable survives. */
const SAFE_PATH = /^[A-Za-z0-9\-._~!&'()*+,;=:@/%]*$/;

export function readExternalAuth(reader: AnnotationReader): ExternalAuthOptions | undefined {
  const written = reader.raw('auth-url');
  for (const name of REFUSED) {
    if (reader.raw(name) !== undefined) reader.error(name, `is not supported by Portico (${AUTH_ROWS.find((row) => row.name === name)?.note ?? ''}); rather than serve the Ingress without it, its routes answer 503`, true);
  }
  if (written === undefined) {
    for (const name of COMPANIONS) if (reader.raw(name) !== undefined) reader.warn(name, 'has no effect without auth-url');
    return undefined;
  }
  const url = parseAuthUrl(written);
  if ('error' in url) {
    reader.error('auth-url', `${url.error}; rather than serve the Ingress unauthenticated, its routes answer 503`, true);
    return undefined;
  }
  const options: ExternalAuthOptions = { url, responseHeaders: readResponseHeaders(reader) };
  const redirect = reader.raw('auth-request-redirect');
  if (redirect !== undefined) {
    if (redirect === '' || /[\s$]/.test(redirect) || hasControlCharacter(redirect)) {
      reader.error('auth-request-redirect', `must be a URL or path without whitespace, control characters or nginx variables, not ${quoted(redirect)}; the Ingress's routes answer 503`, true);
    } else options.requestRedirect = redirect;
  }
  for (const name of KEEPALIVE) if (reader.raw(name) !== undefined) reader.warn(name, 'has no effect on Envoy: it keeps connections to the auth service open anyway');
  return options;
}

/** Header names separated by commas; a bad name closes the Ingress (the backend may trust those headers). */
function readResponseHeaders(reader: AnnotationReader): string[] {
  const names = reader.list('auth-response-headers') ?? [];
  const bad = names.filter((name) => !HEADER_NAME.test(name));
  if (bad.length > 0) {
    reader.error('auth-response-headers', `${bad.map((name) => quoted(name)).join(', ')} ${bad.length === 1 ? 'is not a header name' : 'are not header names'}; the Ingress's routes answer 503`, true);
    return [];
  }
  return [...new Set(names.map((name) => name.toLowerCase()))].sort();
}

/** An absolute http(s) URL with a plain host, a path and nothing nginx could expand or Envoy cannot send. */
export function parseAuthUrl(value: string): AuthUrl | { error: string } {
  const text = value.trim();
  const problem = (why: string): { error: string } => ({ error: `${quoted(value)} ${why}` });
  if (text === '' || /\s/.test(text) || hasControlCharacter(text)) return problem('must be an absolute http or https URL without whitespace or control characters');
  if (text.includes('$')) return problem('uses an nginx variable; Portico expands none in auth-url');
  if (!/^https?:\/\//i.test(text)) return problem('must be an absolute http or https URL');
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return problem('is not a valid URL');
  }
  // The URL parser normalises; compare the authority as written so nothing hides in it.
  const authority = text.slice(text.indexOf('//') + 2).split(/[/?#]/, 1)[0] ?? '';
  if (url.username !== '' || url.password !== '' || authority.includes('@')) return problem('must not carry credentials');
  if (url.hash !== '' || text.includes('#')) return problem('must not have a #fragment');
  if (url.search !== '' || text.includes('?')) return problem('has a query, which Envoy cannot send: it appends the request\'s path to the URL\'s path');
  const host = url.hostname.toLowerCase();
  if (!HOST.test(host) || isIP(host) !== 0) return problem('must name a host (an in-cluster Service), not an address or anything else');
  const pathStart = text.indexOf('/', text.indexOf('//') + 2);
  const path = pathStart < 0 ? '' : text.slice(pathStart);
  if (!SAFE_PATH.test(path) || /%(?![0-9A-Fa-f]{2})/.test(path)) return problem('has a path with characters that are not allowed in a URL path');
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port === '' ? (scheme === 'https' ? 443 : 80) : Number(url.port);
  return { url: text, scheme, host, port, path: path === '/' ? '' : path.replace(/\/+$/, '') };
}
