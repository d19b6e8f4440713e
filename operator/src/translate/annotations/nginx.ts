// The ingress-nginx annotations Portico honours, read with ingress-nginx's meaning so Ingresses
// written for it keep working unchanged. See docs/annotations.md.
import type { V1Ingress } from '../../store/cluster-state.js';
import { hasControlCharacter } from '../../util/characters.js';
import { isAccessControl, isSnippet } from './access-control.js';
import { NGINX_PREFIX } from './prefix.js';

export { NGINX_PREFIX };
export const REWRITE_TARGET = `${NGINX_PREFIX}rewrite-target`;
export const USE_REGEX = `${NGINX_PREFIX}use-regex`;
export const APP_ROOT = `${NGINX_PREFIX}app-root`;
export const SSL_REDIRECT = `${NGINX_PREFIX}ssl-redirect`;
export const FORCE_SSL_REDIRECT = `${NGINX_PREFIX}force-ssl-redirect`;

const HONOURED = new Set([REWRITE_TARGET, USE_REGEX, APP_ROOT, SSL_REDIRECT, FORCE_SSL_REDIRECT]);

export interface NginxOptions {
  /** ImplementationSpecific paths are RE2 regexes (use-regex, or implied by rewrite-target). */
  regexPaths: boolean;
  /** Replaces the whole path; `$N` refers to capture group N of the path regex. */
  rewriteTarget?: string;
  /** A request for `/` is redirected here with 302. */
  appRoot?: string;
  /** Plain-HTTP requests for a host with TLS get 308 to https (default true). */
  sslRedirect: boolean;
  /** ...and for any host, with or without TLS (TLS terminated in front of Envoy). */
  forceSslRedirect: boolean;
}

export interface AnnotationProblem {
  annotation: string;
  severity: 'error' | 'warning';
  message: string;
}

/** A path we put in :path or Location must hold no whitespace or control characters. */
function isUnsafePath(value: string): boolean {
  return /\s/.test(value) || hasControlCharacter(value);
}

export function readNginxAnnotations(ingress: V1Ingress): { options: NginxOptions; problems: AnnotationProblem[] } {
  const annotations = ingress.metadata?.annotations ?? {};
  const problems: AnnotationProblem[] = [];
  const flag = (name: string, fallback: boolean): boolean => {
    const value = annotations[name];
    if (value === undefined || value === 'true' || value === 'false') return value === undefined ? fallback : value === 'true';
    problems.push({ annotation: name, severity: 'error', message: `must be "true" or "false", not ${JSON.stringify(value)}; the default (${fallback}) applies` });
    return fallback;
  };
  const options: NginxOptions = {
    regexPaths: flag(USE_REGEX, false),
    sslRedirect: flag(SSL_REDIRECT, true),
    forceSslRedirect: flag(FORCE_SSL_REDIRECT, false),
  };

  const rewriteTarget = annotations[REWRITE_TARGET];
  if (rewriteTarget !== undefined) {
    if (rewriteTarget === '' || isUnsafePath(rewriteTarget)) {
      problems.push({ annotation: REWRITE_TARGET, severity: 'error', message: `must be a non-empty path without spaces or control characters, not ${JSON.stringify(rewriteTarget)}; ignored` });
    } else {
      options.rewriteTarget = rewriteTarget;
      // ingress-nginx turns every path into a regex location as soon as rewrite-target is set.
      options.regexPaths = true;
    }
  }

  const appRoot = annotations[APP_ROOT];
  if (appRoot !== undefined) {
    if (!appRoot.startsWith('/') || isUnsafePath(appRoot)) {
      problems.push({ annotation: APP_ROOT, severity: 'error', message: `must be an absolute path such as "/app", not ${JSON.stringify(appRoot)}; ignored` });
    } else {
      options.appRoot = appRoot;
    }
  }

  for (const name of Object.keys(annotations).sort()) {
    // Access control is reported where the Ingress is refused or served (translate-fleet.ts).
    if (!name.startsWith(NGINX_PREFIX) || HONOURED.has(name) || isAccessControl(name)) continue;
    const message = isSnippet(name) ? 'is raw nginx configuration, which Portico never translates; the rest of the Ingress is served' : 'is not supported by Portico and has no effect';
    problems.push({ annotation: name, severity: 'warning', message });
  }
  return { options, problems };
}

/**
 * Turns an ingress-nginx target (`/$2`) into an RE2 substitution (`/\2`), checking that every
 * group it names exists. Literal backslashes are doubled so RE2 keeps them.
 */
export function toRe2Substitution(target: string, groups: number): { substitution: string } | { error: string } {
  const escaped = target.replace(/\\/g, '\\\\');
  let missing: number | undefined;
  const substitution = escaped.replace(/\$\{?(\d)\}?/g, (_whole, digit: string) => {
    const group = Number(digit);
    if (group > groups) missing ??= group;
    return `\\${digit}`;
  });
  if (missing !== undefined) {
    return { error: `refers to capture group $${missing} but the path has ${groups === 0 ? 'no capture groups' : `only ${groups}`}` };
  }
  return { substitution };
}
