// Every ingress-nginx annotation Portico knows, with how far it is honoured. One table drives the
// warnings on Ingresses, fail-closed refusals, `portico check` and docs/annotations.md (a test
// keeps the doc in step), so the three can never disagree.
import { NGINX_PREFIX } from './prefix.js';
import { AUTH_ROWS } from './auth.js';
import { CANARY_ROWS } from './canary.js';
import { CORS_ROWS } from './cors.js';
import { PATH_ROWS } from './paths.js';
import { PROXY_ROWS } from './proxy.js';
import { RATE_LIMIT_ROWS } from './rate-limit.js';
import { REDIRECT_ROWS } from './redirects.js';
import { SOURCE_RANGE_ROWS } from './source-ranges.js';
import { SERVER_ALIAS_ROWS } from './server-alias.js';
import { UPSTREAM_ROWS } from './upstream.js';
import type { AnnotationEntry } from './support.js';

export type { AnnotationEntry, Support } from './support.js';

/** The rows of the families that read their annotations (each family says how well it honours them). */
const FAMILY_ROWS: readonly (readonly AnnotationEntry[])[] = [PATH_ROWS, REDIRECT_ROWS, PROXY_ROWS, UPSTREAM_ROWS, CANARY_ROWS, CORS_ROWS, SOURCE_RANGE_ROWS, RATE_LIMIT_ROWS, AUTH_ROWS, SERVER_ALIAS_ROWS];

/** What basic and digest auth lack; see docs/annotations.md. */
const BASIC_AUTH_REFUSED = "needs the users of an Opaque Secret, which Portico does not read (it watches kubernetes.io/tls Secrets only), and Envoy's basic_auth accepts only {SHA} htpasswd lines (htpasswd's default is MD5 or bcrypt); digest auth has no Envoy filter";

/** Annotations no family reads: snippets, refused access control, no-ops and the unsupported. */
const entries: AnnotationEntry[] = [
  // Snippets: raw nginx configuration, never translated.
  { name: 'configuration-snippet', support: 'unsupported', note: 'raw nginx configuration, never translated' },
  { name: 'server-snippet', support: 'unsupported', note: 'raw nginx configuration, never translated' },
  { name: 'auth-snippet', support: 'unsupported', note: 'raw nginx configuration, never translated' },
  { name: 'stream-snippet', support: 'unsupported', note: 'raw nginx configuration, never translated' },
  { name: 'modsecurity-snippet', support: 'refused', accessControl: true, note: 'web application firewall rules (a snippet, but one that protects): no web application firewall' },
  // Access control Portico does not honour (yet): fail closed.
  { name: 'auth-tls-secret', support: 'refused', accessControl: true, note: 'client certificates are not supported' },
  { name: 'auth-tls-verify-client', support: 'refused', accessControl: true, note: 'client certificates are not supported' },
  { name: 'auth-tls-verify-depth', support: 'refused', accessControl: true, note: 'client certificates are not supported' },
  { name: 'auth-tls-error-page', support: 'refused', accessControl: true, note: 'client certificates are not supported' },
  { name: 'auth-tls-pass-certificate-to-upstream', support: 'refused', accessControl: true, note: 'client certificates are not supported' },
  { name: 'auth-tls-match-cn', support: 'refused', accessControl: true, note: 'client certificates are not supported' },
  { name: 'satisfy', support: 'refused', accessControl: true, note: 'combining auth and allow-lists with "any" is not supported' },
  { name: 'enable-modsecurity', support: 'refused', accessControl: true, note: 'no web application firewall' },
  { name: 'enable-owasp-core-rules', support: 'refused', accessControl: true, note: 'no web application firewall' },
  { name: 'modsecurity-transaction-id', support: 'refused', accessControl: true, note: 'no web application firewall' },
  { name: 'global-rate-limit', support: 'refused', accessControl: true, note: 'needs a rate-limit service; not supported' },
  { name: 'global-rate-limit-window', support: 'refused', accessControl: true, note: 'needs a rate-limit service; not supported' },
  { name: 'global-rate-limit-key', support: 'refused', accessControl: true, note: 'needs a rate-limit service; not supported' },
  { name: 'global-rate-limit-ignored-cidrs', support: 'refused', accessControl: true, note: 'needs a rate-limit service; not supported' },
  { name: 'limit-connections', support: 'refused', accessControl: true, note: 'Envoy has no per-client connection limit' },
  { name: 'limit-rate', support: 'refused', accessControl: true, note: 'bandwidth limits per client are not supported' },
  { name: 'limit-rate-after', support: 'refused', accessControl: true, note: 'bandwidth limits per client are not supported' },
  { name: 'auth-type', support: 'refused', accessControl: true, note: BASIC_AUTH_REFUSED },
  { name: 'auth-secret', support: 'refused', accessControl: true, note: BASIC_AUTH_REFUSED },
  { name: 'auth-secret-type', support: 'refused', accessControl: true, note: BASIC_AUTH_REFUSED },
  { name: 'auth-realm', support: 'refused', accessControl: true, note: BASIC_AUTH_REFUSED },
  // Buffering: Envoy streams requests and responses; nothing to configure.
  { name: 'proxy-buffering', support: 'no-op', note: 'Envoy streams responses; there is no response buffering to turn on or off' },
  { name: 'proxy-buffer-size', support: 'no-op', note: 'Envoy streams responses; there is no response buffer to size' },
  { name: 'proxy-buffers-number', support: 'no-op', note: 'Envoy streams responses; there is no response buffer to size' },
  { name: 'proxy-max-temp-file-size', support: 'no-op', note: 'Envoy never spools responses to disk' },
  { name: 'proxy-request-buffering', support: 'no-op', note: 'Envoy streams request bodies unless proxy-body-size asks for a limit' },
  { name: 'client-body-buffer-size', support: 'no-op', note: 'Envoy keeps bodies in memory up to its buffer limits; nothing is written to disk' },
  { name: 'proxy-http-version', support: 'no-op', note: 'Envoy picks the upstream protocol from backend-protocol and the Service port' },
  // Not supported: no effect, with a warning.
  { name: 'ssl-passthrough', support: 'unsupported', note: 'TLS passthrough is not supported; the Ingress is served with TLS terminated by Envoy' },
  { name: 'proxy-ssl-secret', support: 'unsupported', note: 'backend certificates are not verified' },
  { name: 'proxy-ssl-verify', support: 'unsupported', note: 'backend certificates are not verified' },
  { name: 'proxy-ssl-verify-depth', support: 'unsupported', note: 'backend certificates are not verified' },
  { name: 'proxy-ssl-name', support: 'unsupported', note: 'backend certificates are not verified' },
  { name: 'proxy-ssl-server-name', support: 'unsupported', note: 'backend certificates are not verified' },
  { name: 'proxy-ssl-ciphers', support: 'unsupported' },
  { name: 'proxy-ssl-protocols', support: 'unsupported' },
  { name: 'mirror-target', support: 'unsupported', note: 'request mirroring is not supported' },
  { name: 'mirror-host', support: 'unsupported', note: 'request mirroring is not supported' },
  { name: 'mirror-request-body', support: 'unsupported', note: 'request mirroring is not supported' },
  { name: 'enable-opentelemetry', support: 'unsupported' },
  { name: 'opentelemetry-trust-incoming-span', support: 'unsupported' },
  { name: 'custom-headers', support: 'unsupported', note: 'needs a ConfigMap, which Portico does not read' },
  { name: 'enable-access-log', support: 'unsupported', note: 'Envoy logs per listener (IngressClassParameters accessLog), not per route' },
  { name: 'enable-rewrite-log', support: 'unsupported' },
  { name: 'custom-http-errors', support: 'unsupported', note: 'Envoy\'s custom_response filter, which could send errors to another backend, is still work in progress in Envoy 1.40' },
  { name: 'default-backend', support: 'unsupported', note: 'needs custom-http-errors (see there); the Ingress\'s spec.defaultBackend is honoured' },
  { name: 'http2-push-preload', support: 'unsupported', note: 'HTTP/2 push is obsolete' },
  { name: 'connection-proxy-header', support: 'unsupported' },
  { name: 'ssl-ciphers', support: 'unsupported', note: 'set per class: IngressClassParameters tls.cipherSuites' },
  { name: 'ssl-prefer-server-ciphers', support: 'unsupported' },
  { name: 'preserve-trailing-slash', support: 'unsupported' },
  { name: 'secure-backends', support: 'unsupported', note: 'removed from ingress-nginx; use backend-protocol: HTTPS' },
];

const all: readonly AnnotationEntry[] = [...FAMILY_ROWS.flat(), ...entries];
const byName = new Map(all.map((entry) => [NGINX_PREFIX + entry.name, entry]));
if (byName.size !== all.length) throw new Error('annotations/catalog.ts: an annotation is listed twice');

/** The entry for a full annotation name, or undefined for an nginx annotation Portico does not know. */
export function catalogEntry(annotation: string): AnnotationEntry | undefined {
  return byName.get(annotation);
}

/** Every entry: the families' rows first, then the rest, in table order. */
export function catalogEntries(): readonly AnnotationEntry[] {
  return all;
}
