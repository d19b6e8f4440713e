// The ingress-nginx annotations of one Ingress, read with ingress-nginx's meaning so Ingresses
// written for it keep working unchanged. Each family module reads its own annotations through one
// AnnotationReader; this composes them and reports what no family read. See docs/annotations.md.
import type { IrRoutePolicy } from '../../ir/types.js';
import type { V1Ingress } from '../../store/cluster-state.js';
import { isAccessControl, isSnippet } from './access-control.js';
import type { ExternalAuthOptions } from './auth.js';
import { readExternalAuth } from './auth.js';
import type { CanaryRules } from './canary.js';
import { readCanaryRules } from './canary.js';
import { catalogEntry } from './catalog.js';
import { readCors } from './cors.js';
import type { PathOptions } from './paths.js';
import { readPathOptions } from './paths.js';
import { NGINX_PREFIX } from './prefix.js';
import { readProxyPolicy } from './proxy.js';
import { readRateLimit } from './rate-limit.js';
import { readSourceRanges } from './source-ranges.js';
import { readServerAliases } from './server-alias.js';
import type { AnnotationProblem } from './reader.js';
import { AnnotationReader } from './reader.js';
import type { RedirectOptions } from './redirects.js';
import { readRedirectOptions } from './redirects.js';
import type { UpstreamOptions } from './upstream.js';
import { readUpstreamOptions } from './upstream.js';

export { NGINX_PREFIX };
export type { AnnotationProblem };
export const REWRITE_TARGET = `${NGINX_PREFIX}rewrite-target`;
export const FORCE_SSL_REDIRECT = `${NGINX_PREFIX}force-ssl-redirect`;

export interface NginxOptions extends PathOptions, RedirectOptions {
  /** Per-route behaviour for every route of the Ingress. */
  policy: IrRoutePolicy;
  upstream: UpstreamOptions;
  /** Access-control annotations whose value cannot be honoured: the Ingress is closed, not opened. */
  closedBy: string[];
  /** auth-url and its companions; the auth service's host becomes a cluster in translate/auth-services.ts. */
  externalAuth?: ExternalAuthOptions;
  /** server-alias: more names for the Ingress's host. */
  serverAliases: string[];
  /** canary: "true": the Ingress routes nothing of its own but shares a primary's routes (translate/canary.ts). */
  canary?: CanaryRules;
}

/** What an Ingress gets when its class turns the nginx family off. */
export const NO_NGINX_OPTIONS: NginxOptions = {
  regexPaths: false,
  sslRedirect: true,
  forceSslRedirect: false,
  fromToWww: false,
  policy: {},
  upstream: { settings: {}, serviceUpstream: false },
  closedBy: [],
  serverAliases: [],
};

export function readNginxAnnotations(ingress: V1Ingress): { options: NginxOptions; problems: AnnotationProblem[] } {
  const annotations = ingress.metadata?.annotations ?? {};
  const reader = new AnnotationReader(annotations);
  const upstream = readUpstreamOptions(reader);
  const policy: IrRoutePolicy = { ...readProxyPolicy(reader) };
  if (upstream.hash) policy.hash = upstream.hash;
  const cors = readCors(reader);
  if (cors) policy.cors = cors;
  const sourceRanges = readSourceRanges(reader);
  if (sourceRanges) policy.sourceRanges = sourceRanges;
  const rateLimit = readRateLimit(reader);
  if (rateLimit) policy.rateLimit = rateLimit;
  const externalAuth = readExternalAuth(reader);
  const options: NginxOptions = { ...readPathOptions(reader), ...readRedirectOptions(reader), policy, upstream, closedBy: [], serverAliases: readServerAliases(reader) };
  const canary = readCanaryRules(reader);
  if (canary) options.canary = canary;
  if (externalAuth) options.externalAuth = externalAuth;
  options.closedBy = [...new Set(reader.problems.filter((p) => p.closes).map((p) => p.annotation))].sort();
  return { options, problems: [...reader.problems, ...unreadAnnotations(annotations, reader.read)] };
}

/** A warning for every nginx annotation no family read; refused access control is reported where the Ingress is closed. */
function unreadAnnotations(annotations: Readonly<Record<string, string>>, read: ReadonlySet<string>): AnnotationProblem[] {
  const problems: AnnotationProblem[] = [];
  for (const name of Object.keys(annotations).sort()) {
    if (!name.startsWith(NGINX_PREFIX) || read.has(name) || isAccessControl(name)) continue;
    const entry = catalogEntry(name);
    const message =
      isSnippet(name) ? 'is raw nginx configuration, which Portico never translates; the rest of the Ingress is served'
      : entry?.support === 'no-op' ? `has no effect on Envoy: ${entry.note ?? 'nothing to configure'}`
      : entry?.note !== undefined ? `is not supported by Portico and has no effect (${entry.note})`
      : entry ? 'is not supported by Portico and has no effect'
      : 'is not an ingress-nginx annotation Portico knows; it has no effect';
    problems.push({ annotation: name, severity: 'warning', message });
  }
  return problems;
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
