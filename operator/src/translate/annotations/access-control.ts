// ingress-nginx annotations that guard access (authentication, client certificates, allow and
// deny lists, rate limits, the WAF). Those Portico does not honour leave open what their authors
// believe protected, so by default such an Ingress's routes answer 503 instead (fail closed); a
// class may relax this to a warning. Snippets are raw nginx configuration, never translated: only
// a warning, since they do not promise protection alone.
import { catalogEntry } from './catalog.js';
import { NGINX_PREFIX } from './prefix.js';

/** Every auth-* annotation (auth-url, auth-type, auth-secret, auth-tls-*, …) but the snippet. */
const AUTH_PREFIX = `${NGINX_PREFIX}auth-`;
const SNIPPET_SUFFIX = '-snippet';

export function isSnippet(annotation: string): boolean {
  return annotation.startsWith(NGINX_PREFIX) && annotation.endsWith(SNIPPET_SUFFIX);
}

/** An annotation that guards access, known to the catalog or any auth-* one (unknown ones too). */
export function isAccessControl(annotation: string): boolean {
  // modsecurity-snippet is a snippet that protects: the catalog marks it, and that wins.
  if (catalogEntry(annotation)?.accessControl === true) return true;
  return !isSnippet(annotation) && annotation.startsWith(AUTH_PREFIX);
}

/** The access-control annotations of an Ingress that Portico does not honour, sorted. */
export function unhonouredAccessControl(annotations: Readonly<Record<string, string>>): string[] {
  return Object.keys(annotations)
    .filter((name) => isAccessControl(name) && (catalogEntry(name)?.support ?? 'refused') === 'refused')
    .sort();
}
