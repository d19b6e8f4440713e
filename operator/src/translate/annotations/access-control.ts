// ingress-nginx annotations that guard access (authentication, client certificates, allow and
// deny lists, rate limits, the WAF) and that Portico does not honour. Serving such an Ingress
// anyway would leave open what its authors believe is protected, so by default its routes answer
// 503 instead (fail closed); a class may relax this to a warning. Snippets are raw nginx
// configuration, never translated: only a warning, since they do not promise protection alone.
import { NGINX_PREFIX } from './prefix.js';

const ACCESS_CONTROL = new Set(
  [
    'whitelist-source-range',
    'allowlist-source-range',
    'denylist-source-range',
    'limit-rps',
    'limit-rpm',
    'limit-connections',
    'limit-rate',
    'limit-rate-after',
    'limit-burst-multiplier',
    'global-rate-limit',
    'global-rate-limit-window',
    'satisfy',
    'enable-modsecurity',
    'enable-owasp-core-rules',
    'modsecurity-transaction-id',
  ].map((name) => `${NGINX_PREFIX}${name}`),
);

/** Every auth-* annotation (auth-url, auth-type, auth-secret, auth-tls-*, …) but the snippet. */
const AUTH_PREFIX = `${NGINX_PREFIX}auth-`;
const SNIPPET_SUFFIX = '-snippet';

export function isSnippet(annotation: string): boolean {
  return annotation.startsWith(NGINX_PREFIX) && annotation.endsWith(SNIPPET_SUFFIX);
}

export function isAccessControl(annotation: string): boolean {
  if (isSnippet(annotation)) return false;
  return ACCESS_CONTROL.has(annotation) || annotation.startsWith(AUTH_PREFIX);
}

/** The access-control annotations an Ingress carries, sorted: none is honoured by Portico. */
export function unhonouredAccessControl(annotations: Readonly<Record<string, string>>): string[] {
  return Object.keys(annotations).filter(isAccessControl).sort();
}
