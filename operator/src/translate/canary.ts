// Canary Ingresses (nginx.ingress.kubernetes.io/canary: "true"). A canary claims no route: each of
// its host+path pairs is offered here and, once every Ingress is read, attached to the route with
// the same host and match (the "primary") as a share of its traffic (IrForward.canary). As in
// ingress-nginx: the primary's policy (timeouts, rewrites, access control…) applies to the
// canary's share too; only the canary's balancing and service-upstream shape its own cluster; one
// canary per route (the oldest); a canary whose path no primary serves does nothing.
import type { V1HTTPIngressPath } from '@kubernetes/client-node';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrPathMatch, IrRoute } from '../ir/types.js';
import type { V1Ingress } from '../store/cluster-state.js';
import { objectRef } from '../store/cluster-state.js';
import { compareStrings } from '../util/compare.js';
import { isAccessControl, unhonouredAccessControl } from './annotations/access-control.js';
import type { CanaryRules } from './annotations/canary.js';
import type { NginxOptions } from './annotations/nginx.js';
import { NGINX_PREFIX } from './annotations/prefix.js';
import type { UpstreamOptions } from './annotations/upstream.js';
import type { BackendResolver, ResolvedBackend } from './backends.js';
import type { ClusterTable } from './clusters.js';
import { normalizeHost } from './hosts.js';
import type { AccessControlPolicy } from './parameters/parameters-spec.js';
import { describeMatch, matchKey, toPathMatch } from './paths.js';
import type { RouteTable } from './route-table.js';

type Reporter = (severity: Diagnostic['severity'], message: string) => void;

/** Annotations of a canary Ingress that ingress-nginx applies (to the canary's own backend). */
const CANARY_OWN = /^(canary(-.*)?|load-balance|upstream-hash-by.*|affinity.*|session-cookie-.*|service-upstream)$/;


interface CanaryOffer {
  origin: string;
  host: string;
  /** The matches the primary may have: an ImplementationSpecific path is a regex or not depending on the primary's use-regex. */
  matches: IrPathMatch[];
  field: string;
  backend: ResolvedBackend;
  rules: CanaryRules;
  upstream: UpstreamOptions;
  /** The canary's access-control annotations: the primary must carry each with the same value. */
  access: [string, string][];
  report: Reporter;
}

export class CanaryTable {
  private readonly offers: CanaryOffer[] = [];
  /** Upstream options and access-control annotations of every ordinary Ingress, by "Ingress namespace/name". */
  private readonly primaries = new Map<string, { upstream: UpstreamOptions; access: Map<string, string> }>();

  constructor(
    private readonly resolver: BackendResolver,
    private readonly accessControl: AccessControlPolicy,
  ) {}

  /** An ordinary Ingress: its backend protocol and connect timeout also apply to canaries of its routes. */
  primary(ingress: V1Ingress, upstream: UpstreamOptions): void {
    this.primaries.set(objectRef('Ingress', ingress.metadata), { upstream, access: new Map(accessControlOf(ingress)) });
  }

  /** Reads a canary Ingress's rules and keeps its paths for attach(); it claims nothing. */
  offer(ingress: V1Ingress, options: NginxOptions, rules: CanaryRules, report: Reporter): void {
    const origin = objectRef('Ingress', ingress.metadata);
    const annotations = ingress.metadata?.annotations ?? {};
    const closedBy = [...new Set([...unhonouredAccessControl(annotations), ...options.closedBy])].sort(compareStrings);
    if (closedBy.length > 0) {
      const what = `metadata.annotations: ${closedBy.join(', ')} ${closedBy.length === 1 ? 'is an access control' : 'are access controls'} Portico does not honour`;
      if (this.accessControl !== 'Warn') {
        report('error', `${what}; this canary is not attached, so its backend gets no traffic and every request stays with the primary`);
        return;
      }
      report('warning', `${what}; the canary is attached WITHOUT ${closedBy.length === 1 ? 'it' : 'them'} (its requests pass the primary's access control only), because its class's parameters say annotationFamilies.unhonouredAccessControl: Warn`);
    }
    const ignored = Object.keys(annotations).filter((name) => name.startsWith(NGINX_PREFIX) && !CANARY_OWN.test(name.slice(NGINX_PREFIX.length)) && !closedBy.includes(name)).sort(compareStrings);
    if (ignored.length > 0) report('warning', `metadata.annotations: ${ignored.join(', ')} ${ignored.length === 1 ? 'has' : 'have'} no effect on a canary Ingress: the primary Ingress's apply to the canary's share (as in ingress-nginx)`);
    if (options.upstream.hash) report('warning', 'metadata.annotations: the canary\'s upstream-hash-by or affinity has no effect: Envoy hashes per route, so the primary\'s hashing (if any) applies to the canary\'s share too');
    const spec = ingress.spec ?? {};
    if (spec.defaultBackend) report('warning', 'spec.defaultBackend: a canary of the default backend is not supported; it is ignored');
    if ((spec.tls ?? []).length > 0) report('warning', 'spec.tls: a canary Ingress serves no host of its own; its TLS section is ignored (the primary\'s applies)');
    const namespace = ingress.metadata?.namespace ?? 'default';
    const access = accessControlOf(ingress);
    (spec.rules ?? []).forEach((rule, i) => {
      const host = normalizeHost(rule.host);
      if ('error' in host) return report('error', `spec.rules[${i}].host: ${host.error}; this rule is ignored`);
      (rule.http?.paths ?? []).forEach((path: V1HTTPIngressPath, j: number) => {
        const field = `spec.rules[${i}].http.paths[${j}]`;
        const matches = primaryMatches(path, options.regexPaths);
        if ('error' in matches) return report('error', `${field}.path: ${matches.error}; this path is ignored`);
        const backend = this.resolver.resolve(namespace, path.backend);
        if (backend.problem) report('error', `${field}.backend.${backend.problem}`);
        this.offers.push({ origin, host: host.host, matches, field, backend, rules, upstream: options.upstream, access, report });
      });
    });
  }

  /** Takes back everything one Ingress offered (its translation failed half-way). */
  withdraw(origin: string): void {
    this.primaries.delete(origin);
    for (let i = this.offers.length - 1; i >= 0; i--) if (this.offers[i]?.origin === origin) this.offers.splice(i, 1);
  }

  /** Gives each offer's primary route its canary; offers were made oldest first, so the oldest canary wins. */
  attach(table: RouteTable, clusters: ClusterTable): void {
    for (const offer of this.offers) {
      const routes = table.routes(offer.host);
      const keys = offer.matches.map(matchKey);
      const primary = keys.map((key) => routes.find((route) => matchKey(route.match) === key)).find((route) => route !== undefined);
      const where = `host ${offer.host} ${describeMatch(offer.matches[0] as IrPathMatch)}`;
      if (!primary) {
        offer.report('error', `${offer.field}: no Ingress of this class routes ${where}, so this canary has nothing to share and gets no traffic`);
        continue;
      }
      const problem = this.refusal(primary, offer);
      if (problem) {
        offer.report(problem.severity, `${offer.field}: ${where} (${primary.origin}) ${problem.message}`);
        continue;
      }
      const action = primary.action;
      if (action.kind !== 'forward') continue;
      const cluster = clusters.choose(offer.backend, this.canaryUpstream(primary, offer), (annotation, message) => offer.report('warning', `metadata.annotations["${annotation}"]: ${message}`));
      if (cluster === action.cluster) {
        offer.report('warning', `${offer.field}: ${where} already goes to this backend (${primary.origin}); the canary changes nothing and is not attached`);
        continue;
      }
      primary.action = { ...action, canary: { cluster, origin: offer.origin, ...offer.rules } };
    }
  }

  private refusal(primary: IrRoute, offer: CanaryOffer): { severity: Diagnostic['severity']; message: string } | undefined {
    const action = primary.action;
    if (action.kind === 'deny') return { severity: 'error', message: 'answers 503 (its access control is not supported), and so does the canary\'s share: the canary is not attached' };
    if (action.kind === 'redirect') return { severity: 'warning', message: 'is a redirect, which has no backend to share; the canary is not attached' };
    if (action.canary) return { severity: 'error', message: `already has a canary, ${action.canary.origin}, which is older; ingress-nginx applies one canary per path, so this one is not attached` };
    const guards = this.primaries.get(primary.origin)?.access;
    const missing = offer.access.filter(([name, value]) => guards?.get(name) !== value).map(([name]) => name);
    if (missing.length > 0) {
      return { severity: 'error', message: `lacks this canary's ${missing.join(', ')} (with the same value); ingress-nginx would guard the canary's share with the primary's access control alone, and Portico does not guard a canary less than it asks: the canary is not attached` };
    }
    return undefined;
  }

  /**
   * The canary's backend as nginx reaches it: the primary's backend-protocol and connect timeout
   * (location settings), the canary's balancing and service-upstream (upstream settings), and a
   * ring hash when the primary hashes (Envoy hashes per route, for both clusters).
   */
  private canaryUpstream(primary: IrRoute, offer: CanaryOffer): UpstreamOptions {
    const fromPrimary = this.primaries.get(primary.origin)?.upstream.settings ?? {};
    const { protocol, tls, connectTimeoutMs } = fromPrimary;
    const settings: UpstreamOptions['settings'] = {};
    if (protocol !== undefined) settings.protocol = protocol;
    if (tls !== undefined) settings.tls = tls;
    if (connectTimeoutMs !== undefined) settings.connectTimeoutMs = connectTimeoutMs;
    const own = offer.upstream.settings.balancing;
    const balancing = primary.policy?.hash ? 'ringHash' : own === 'ringHash' ? undefined : own;
    if (balancing !== undefined) settings.balancing = balancing;
    return { settings, serviceUpstream: offer.upstream.serviceUpstream };
  }
}

/**
 * The primary's match for a canary path: ingress-nginx pairs them by path and path type as written,
 * whatever either's use-regex; the canary's own reading first.
 */
function primaryMatches(path: V1HTTPIngressPath, regexPaths: boolean): IrPathMatch[] | { error: string } {
  const own = toPathMatch(path.path, path.pathType, regexPaths);
  if ('error' in own) return own;
  const other = toPathMatch(path.path, path.pathType, !regexPaths);
  return 'error' in other || matchKey(other.match) === matchKey(own.match) ? [own.match] : [own.match, other.match];
}

/** An Ingress's access-control annotations (honoured or not), sorted by name. */
function accessControlOf(ingress: V1Ingress): [string, string][] {
  return Object.entries(ingress.metadata?.annotations ?? {}).filter(([name]) => isAccessControl(name)).sort(([a], [b]) => compareStrings(a, b));
}
