// Path matching, rewrites and the app-root and HTTPS redirects: the annotations Portico has always
// honoured, with ingress-nginx's meaning.
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

export const PATH_ROWS: readonly AnnotationEntry[] = [
  { name: 'rewrite-target', support: 'honoured' },
  { name: 'use-regex', support: 'honoured', note: 'applies to the Ingress that sets it, not to every Ingress of the host' },
  { name: 'app-root', support: 'honoured' },
  { name: 'ssl-redirect', support: 'honoured' },
  { name: 'force-ssl-redirect', support: 'honoured' },
];

export interface PathOptions {
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

export function readPathOptions(reader: AnnotationReader): PathOptions {
  const options: PathOptions = {
    regexPaths: reader.flag('use-regex', false),
    sslRedirect: reader.flag('ssl-redirect', true),
    forceSslRedirect: reader.flag('force-ssl-redirect', false),
  };
  const rewriteTarget = reader.token('rewrite-target', 'a non-empty path without spaces or control characters');
  if (rewriteTarget !== undefined) {
    options.rewriteTarget = rewriteTarget;
    // ingress-nginx turns every path into a regex location as soon as rewrite-target is set.
    options.regexPaths = true;
  }
  const appRoot = reader.token('app-root', 'an absolute path such as "/app"');
  if (appRoot !== undefined) {
    if (appRoot.startsWith('/')) options.appRoot = appRoot;
    else reader.error('app-root', `must be an absolute path such as "/app", not "${appRoot}"; ignored`);
  }
  return options;
}
