// One IngressClass → one fleet's IR. Reads the Ingresses of the class oldest first, turns rules,
// paths, backends and annotations into routes, and reports every problem as a diagnostic on the
// Ingress (naming the field) instead of failing: one bad Ingress never blocks the others.
import type { V1HTTPIngressPath, V1IngressRule } from '@kubernetes/client-node';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrCluster, IrDeny, IrFleet, IrForward, IrHttpOptions, IrHttps, IrPathMatch, IrRoute, IrRouteDefaults, IrRoutePolicy, IrVirtualHost } from '../ir/types.js';
import { isAccessControl, unhonouredAccessControl } from './annotations/access-control.js';
import type { AccessControlPolicy } from './parameters/parameters-spec.js';
import type { V1Ingress, V1IngressClass } from '../store/cluster-state.js';
import { objectRef } from '../store/cluster-state.js';
import { compareStrings } from '../util/compare.js';
import { FORCE_SSL_REDIRECT, NGINX_PREFIX, NO_NGINX_OPTIONS, readNginxAnnotations, toRe2Substitution, REWRITE_TARGET } from './annotations/nginx.js';
import type { NginxOptions } from './annotations/nginx.js';
import type { BackendResolver, ResolvedBackend } from './backends.js';
import { CanaryTable } from './canary.js';
import { resolveAuthService } from './auth-services.js';
import { ClusterTable } from './clusters.js';
import { routePolicyFor } from './route-policy.js';
import { ServerAliases } from './server-aliases.js';
import { WwwRedirects } from './www-redirects.js';
import { compareIngressAge, namespacedName } from './ingress-age.js';
import { CATCH_ALL_HOST, isWildcardHost, normalizeHost } from './hosts.js';
import { describeMatch, toPathMatch } from './paths.js';
import type { FleetParameters } from './parameters/fleet-parameters.js';
import { checkRe2 } from './regex.js';
import { virtualHostDiscoveryFor } from './parameters/virtual-host-discovery.js';
import { RouteTable } from './route-table.js';
import { compareHosts } from '../ir/host-and-path.js';
import { defaultCertificateOf } from './tls/default-certificate.js';
import type { RedirectPolicy } from './tls/https-redirect.js';
import { hstsValue, withHttpsRedirects } from './tls/https-redirect.js';
import type { SecretIndex } from './tls/secret-index.js';
import type { DefaultCertificate } from './tls/tls-hosts.js';
import { TlsHostTable } from './tls/tls-hosts.js';

const REGEX_METACHARACTERS = /[\^$()[\]{}*+?|\\]/;

export interface FleetTranslation {
  fleet: IrFleet;
  diagnostics: Diagnostic[];
}

interface DefaultBackend {
  cluster: string;
  origin: string;
  routeName: string;
  /** Its Ingress carries access control Portico does not honour (and the class refuses such). */
  deny?: IrDeny;
  /** Its Ingress's access control, which guards the default backend too (ingress-nginx applies the annotations there). */
  policy?: IrRoutePolicy;
}

/** The parts of a route policy that decide who may pass. */
function accessPolicyOf(policy: IrRoutePolicy): IrRoutePolicy | undefined {
  const { sourceRanges, externalAuth, basicAuth, rateLimit } = policy;
  const access: IrRoutePolicy = { ...(sourceRanges ? { sourceRanges } : {}), ...(externalAuth ? { externalAuth } : {}), ...(basicAuth ? { basicAuth } : {}), ...(rateLimit ? { rateLimit } : {}) };
  return Object.keys(access).length > 0 ? access : undefined;
}

/**
 * The access-control annotations that close an Ingress: those Portico does not honour, and, when
 * the class turns the nginx family off (so honours none), every one.
 */
function closingAccessControl(annotations: Readonly<Record<string, string>>, nginxOff: boolean): string[] {
  return nginxOff ? Object.keys(annotations).filter(isAccessControl).sort(compareStrings) : unhonouredAccessControl(annotations);
}

/** What a refused route answers: generic on purpose, since anyone may read it. */
const ACCESS_CONTROL_DENIED: IrDeny = { kind: 'deny', status: 503, message: 'This route is closed: the ingress controller cannot apply its access control.\n' };

/** @param parametersNamespace the namespace of the class's IngressClassParameters, when namespaced. */
export function translateFleet(ingressClass: V1IngressClass, ingresses: readonly V1Ingress[], resolver: BackendResolver, secrets: SecretIndex, parameters: FleetParameters, parametersNamespace?: string): FleetTranslation {
  const className = ingressClass.metadata?.name ?? '';
  const fallback = defaultCertificateOf(parameters.tls.defaultCertificate, secrets, className, parametersNamespace);
  const builder = new FleetBuilder(resolver, new TlsHostTable(secrets, fallback.certificate), parameters.unhonouredAccessControl, parameters.nginxAnnotations ? undefined : className);
  for (const ingress of [...ingresses].sort(compareIngressAge)) builder.addIngressSafely(ingress);
  const fleet = builder.build(className, parameters, fallback.certificate);
  return { fleet, diagnostics: [...fallback.diagnostics, ...builder.diagnostics] };
}

function routeDefaultsOf(parameters: FleetParameters): IrRouteDefaults {
  const { backendIdleTimeoutMs, retry, redirectCode } = parameters.routeDefaults;
  const defaults: IrRouteDefaults = { backendIdleTimeoutMs, httpsRedirectCode: redirectCode };
  if (retry.tries > 1 && retry.on.length > 0) defaults.retry = { on: retry.on, numRetries: retry.tries - 1, ...(retry.idempotentOnly ? { idempotentOnly: true as const } : {}) };
  return defaults;
}

function httpOptions(parameters: FleetParameters): IrHttpOptions {
  const { timeouts } = parameters;
  return {
    requestTimeoutMs: timeouts.requestMs,
    requestHeadersTimeoutMs: timeouts.requestHeadersMs,
    idleTimeoutMs: timeouts.idleMs,
    streamIdleTimeoutMs: timeouts.streamIdleMs,
    maxRequestHeadersKiB: parameters.maxRequestHeadersKiB,
    maxRequestBodyBytes: parameters.maxRequestBodyBytes,
    useRemoteAddress: parameters.useRemoteAddress,
    xffNumTrustedHops: parameters.xffNumTrustedHops,
    ...(parameters.accessLog ? { accessLog: parameters.accessLog } : {}),
  };
}

/** Affinity to a backend that does not resolve (yet) has nothing to hash over: its routes answer 503. */
function withoutUselessHash(policy: IrRoutePolicy | undefined, hashed: boolean): IrRoutePolicy | undefined {
  if (!policy?.hash || hashed) return policy;
  const rest: IrRoutePolicy = { ...policy };
  delete rest.hash;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** The nginx annotations an Ingress carries, which a class with the nginx family off ignores. */
function nginxAnnotationsOf(ingress: V1Ingress): string[] {
  return Object.keys(ingress.metadata?.annotations ?? {}).filter((name) => name.startsWith(NGINX_PREFIX)).sort(compareStrings);
}

class FleetBuilder {
  readonly diagnostics: Diagnostic[] = [];
  private readonly table = new RouteTable();
  /** Every cluster chosen, by name; build() keeps only those a winning route uses. */
  private readonly clusters: ClusterTable;
  private readonly www = new WwwRedirects();
  private readonly aliases = new ServerAliases();
  /** Canary Ingresses' paths, attached to their primaries' routes in build(). */
  private readonly canaries: CanaryTable;
  private defaultBackend: DefaultBackend | undefined;
  /** ssl-redirect and force-ssl-redirect of each Ingress, by "Ingress namespace/name". */
  private readonly redirects = new Map<string, RedirectPolicy>();

  /** @param nginxOffBy the class whose parameters turn nginx annotations off, if they do. */
  constructor(
    private readonly resolver: BackendResolver,
    private readonly tls: TlsHostTable,
    private readonly accessControl: AccessControlPolicy,
    private readonly nginxOffBy?: string,
  ) {
    this.clusters = new ClusterTable(resolver);
    this.canaries = new CanaryTable(resolver, accessControl);
  }

  /**
   * Objects reach translation only after their schema check, so nothing here should throw; if a
   * bug makes it, that one Ingress is left out whole (what it had claimed is taken back) with a
   * diagnostic, instead of every fleet losing its update.
   */
  addIngressSafely(ingress: V1Ingress): void {
    this.table.beginOffer();
    try {
      this.addIngress(ingress);
    } catch (error) {
      const ref = objectRef('Ingress', ingress.metadata);
      this.table.withdraw(ref);
      this.tls.withdraw(ref);
      this.redirects.delete(ref);
      this.www.withdraw(ref);
      this.aliases.withdraw(ref);
      this.canaries.withdraw(ref);
      if (this.defaultBackend?.origin === ref) this.defaultBackend = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      this.diagnostics.push({ object: ref, severity: 'error', message: `Portico failed to translate this Ingress (${reason}) and leaves it out. This is a bug in Portico: please report it with the Ingress` });
    }
  }

  private addIngress(ingress: V1Ingress): void {
    const ref = objectRef('Ingress', ingress.metadata);
    const report = (severity: Diagnostic['severity'], message: string): void => {
      this.diagnostics.push({ object: ref, severity, message });
    };
    const namespace = ingress.metadata?.namespace ?? 'default';
    const { options, problems } = this.nginxOffBy === undefined ? readNginxAnnotations(ingress) : { options: NO_NGINX_OPTIONS, problems: [] };
    for (const problem of problems) report(problem.severity, `metadata.annotations["${problem.annotation}"]: ${problem.message}`);
    const ignored = this.nginxOffBy === undefined ? [] : nginxAnnotationsOf(ingress);
    if (ignored.length > 0) {
      report('warning', `metadata.annotations: ${ignored.join(', ')} ignored: the parameters of IngressClass ${this.nginxOffBy} turn the nginx annotation family off (spec.annotationFamilies.nginx: false)`);
    }
    // auth-url asks a Service of the cluster (translate/auth-services.ts); any other closes the Ingress.
    const authField = `metadata.annotations["${NGINX_PREFIX}auth-url"]`;
    const auth = options.externalAuth && resolveAuthService(options.externalAuth, this.resolver, this.clusters, (message) => report('error', `${authField}: ${message}`));
    if (auth && 'error' in auth) {
      report('error', `${authField}: ${auth.error}; rather than serve the Ingress unauthenticated, its routes answer 503`);
      options.closedBy = [...options.closedBy, `${NGINX_PREFIX}auth-url`];
    } else if (auth) options.policy.externalAuth = auth.auth; // this Ingress's own options (NO_NGINX_OPTIONS has no auth-url)
    // A canary claims nothing: its paths become shares of other Ingresses' routes in build().
    if (options.canary) return this.canaries.offer(ingress, options, options.canary, report);
    this.canaries.primary(ingress, options.upstream);
    this.redirects.set(ref, { sslRedirect: options.sslRedirect, forceSslRedirect: options.forceSslRedirect });
    // Whatever the annotation family setting: its authors believe these protect the Ingress.
    const deny = this.guard(closingAccessControl(ingress.metadata?.annotations ?? {}, this.nginxOffBy !== undefined), options.closedBy, report);

    const spec = ingress.spec ?? {};
    if (spec.defaultBackend) {
      const cluster = this.clusterFor(namespace, spec.defaultBackend, 'spec.defaultBackend', options, report);
      if (!this.defaultBackend) {
        const access = deny ? undefined : accessPolicyOf(options.policy);
        this.defaultBackend = { cluster, origin: ref, routeName: `${namespacedName(ingress)}/default-backend`, ...(deny ? { deny } : {}), ...(access ? { policy: access } : {}) };
      } else {
        report('error', `spec.defaultBackend: the class already takes its default backend from ${this.defaultBackend.origin}, which is older; this one is ignored`);
      }
    }
    const rules = spec.rules ?? [];
    if (rules.length === 0 && !spec.defaultBackend) report('error', 'spec: either defaultBackend or rules must be specified');

    const hosts = new Map<number, string>();
    rules.forEach((rule, i) => {
      const host = normalizeHost(rule.host);
      if ('error' in host) return report('error', `spec.rules[${i}].host: ${host.error}; this rule is ignored`);
      if (host.warning !== undefined) report('warning', `spec.rules[${i}].host: ${host.warning}`);
      hosts.set(i, host.host);
      this.table.addHost(host.host);
    });
    if (options.fromToWww) for (const host of new Set(hosts.values())) this.www.request(host, ref, namespacedName(ingress));
    this.aliases.request(options.serverAliases, [...hosts.values()].find((h) => h !== CATCH_ALL_HOST), ref, (message) => report('warning', message));
    this.tls.offer(ingress, [...hosts.values()], report, { sslRedirect: options.sslRedirect, forceSslRedirect: options.forceSslRedirect, canOptOut: this.nginxOffBy === undefined });

    // app-root comes before the rules: ingress-nginx answers it at server level, ahead of locations.
    if (options.appRoot !== undefined) {
      const appRootHosts = new Set(hosts.values());
      if (rules.length === 0) appRootHosts.add(CATCH_ALL_HOST);
      for (const host of [...appRootHosts].sort(compareStrings)) {
        const route: IrRoute = {
          match: { kind: 'exact', path: '/' },
          action: deny ?? { kind: 'redirect', path: options.appRoot, statusCode: 302 },
          origin: ref,
          name: `${namespacedName(ingress)}/app-root`,
        };
        this.claim(host, route, 'metadata.annotations["nginx.ingress.kubernetes.io/app-root"]', report);
      }
    }

    rules.forEach((rule, i) => {
      const host = hosts.get(i);
      if (host !== undefined) this.addRule(ingress, rule, i, host, options, report, deny);
    });
  }

  /**
   * Access control Portico does not honour (`unhonoured`), or honours but cannot apply as written
   * (`invalid`: a bad CIDR, an auth URL it cannot call). Invalid guards always close the Ingress;
   * unhonoured ones close it unless the class says Warn.
   */
  private guard(refused: string[], invalid: readonly string[], report: Reporter): IrDeny | undefined {
    const them = (names: readonly string[]): string => (names.length === 1 ? 'it' : 'them');
    // An annotation both refused and invalid (auth-signin) is reported once, as invalid.
    const unhonoured = refused.filter((name) => !invalid.includes(name));
    if (invalid.length > 0) {
      const also = unhonoured.length > 0 ? ` (and ${unhonoured.join(', ')}, which Portico does not honour)` : '';
      report('error', `metadata.annotations: ${invalid.join(', ')} cannot be applied as written (see the errors above)${also}; rather than serve this Ingress unprotected, its routes answer 503 until ${invalid.length === 1 ? 'it is' : 'they are'} fixed`);
      return ACCESS_CONTROL_DENIED;
    }
    if (unhonoured.length === 0) return undefined;
    const what = `metadata.annotations: ${unhonoured.join(', ')} ${unhonoured.length === 1 ? 'is an access control' : 'are access controls'} Portico does not honour`;
    if (this.accessControl === 'Warn') {
      report('warning', `${what}; this Ingress is served WITHOUT ${them(unhonoured)}, because its class's parameters say annotationFamilies.unhonouredAccessControl: Warn`);
      return undefined;
    }
    report('error', `${what}; rather than serve this Ingress unprotected, its routes answer 503 (remove ${them(unhonoured)} and protect the backend another way, or set annotationFamilies.unhonouredAccessControl: Warn in the class's parameters)`);
    return ACCESS_CONTROL_DENIED;
  }

  private addRule(ingress: V1Ingress, rule: V1IngressRule, i: number, host: string, options: NginxOptions, report: Reporter, deny?: IrDeny): void {
    const ref = objectRef('Ingress', ingress.metadata);
    const namespace = ingress.metadata?.namespace ?? 'default';
    (rule.http?.paths ?? []).forEach((path: V1HTTPIngressPath, j: number) => {
      const field = `spec.rules[${i}].http.paths[${j}]`;
      const matched = toPathMatch(path.path, path.pathType, options.regexPaths);
      if ('error' in matched) return report('error', `${field}.path: ${matched.error}; this path is ignored`);
      if (options.regexPaths && matched.match.kind !== 'regex' && REGEX_METACHARACTERS.test(path.path ?? '')) {
        report('warning', `${field}.path: pathType ${path.pathType} is matched literally, not as a regex; use pathType ImplementationSpecific for a regex path`);
      }
      const cluster = this.clusterFor(namespace, path.backend, `${field}.backend`, options, report);
      const action: IrForward = { kind: 'forward', cluster };
      const rewrite = options.rewriteTarget !== undefined && !deny && !options.redirect ? this.rewriteFor(matched.match, matched.groups, options.rewriteTarget, report) : undefined;
      if (rewrite) action.rewrite = rewrite;
      const route: IrRoute = { match: matched.match, action: deny ?? options.redirect ?? action, origin: ref, name: `${namespacedName(ingress)}/rule-${i}/path-${j}` };
      const policy = deny || options.redirect ? undefined : withoutUselessHash(routePolicyFor(options.policy, matched.match), this.clusters.balancesByHash(cluster));
      if (policy) route.policy = policy;
      this.claim(host, route, field, report);
    });
  }

  /** ingress-nginx rewrites the whole path to the target, with `$N` from the path regex. */
  private rewriteFor(match: IrPathMatch, groups: number, target: string, report: Reporter): IrForward['rewrite'] {
    const converted = toRe2Substitution(target, groups);
    if ('error' in converted) {
      report('error', `metadata.annotations["${REWRITE_TARGET}"]: ${converted.error} (path ${describeMatch(match)}); this path is not rewritten`);
      return undefined;
    }
    const pattern = match.kind === 'regex' ? `(?i)^(?:${match.regex}).*$` : '^.*$';
    const checked = checkRe2(pattern);
    if (!checked.ok) {
      report('error', `metadata.annotations["${REWRITE_TARGET}"]: the rewrite for ${describeMatch(match)} is ${checked.reason}; this path is not rewritten`);
      return undefined;
    }
    return { pattern, substitution: converted.substitution };
  }

  private claim(host: string, route: IrRoute, field: string, report: Reporter): void {
    const result = this.table.claim(host, route);
    if (result.claimed) return;
    if (result.owner === route.origin) {
      report('warning', `${field}: host ${host} ${describeMatch(route.match)} is listed twice in this Ingress; the first one is used`);
    } else {
      report('error', `${field}: host ${host} ${describeMatch(route.match)} is already routed by ${result.owner}, which is older; this path is ignored`);
    }
  }

  /** The cluster of a backend with this Ingress's upstream settings (a variant when it has any). */
  private clusterFor(namespace: string, backend: V1HTTPIngressPath['backend'], field: string, options: NginxOptions, report: Reporter): string {
    const resolved: ResolvedBackend = this.resolver.resolve(namespace, backend);
    if (resolved.problem) report('error', `${field}.${resolved.problem}`);
    return this.clusters.choose(resolved, options.upstream, (annotation, message) => report('warning', `metadata.annotations["${annotation}"]: ${message}`));
  }

  build(className: string, parameters: FleetParameters, defaultCertificate: DefaultCertificate | undefined): IrFleet {
    this.canaries.attach(this.table, this.clusters);
    // What a request for a host that no rule names gets; also where wildcard hosts send deeper names.
    const otherHosts = this.withDefaultBackend(this.table.routes(CATCH_ALL_HOST));
    const hsts = hstsValue(parameters.tls.hsts);
    /** Ingresses whose force-ssl-redirect redirects hosts Envoy does not serve over TLS. */
    const forced = new Set<string>();
    const virtualHosts: IrVirtualHost[] = this.table.hosts().map((host) => {
      const tls = this.tls.tlsHost(host);
      // A host that asked for TLS but has no certificate is redirected all the same (to a failing
      // handshake): a bad Secret must not turn an HTTPS-only host into a plaintext one.
      const asksForTls = tls !== undefined || this.tls.requestedWithoutCertificate(host);
      const redirected = (routes: IrRoute[]): IrRoute[] => {
        const result = withHttpsRedirects(routes, asksForTls, this.redirects);
        if (!tls) for (const route of result) if (route.httpsRedirect && this.redirects.get(route.origin)?.forceSslRedirect) forced.add(route.origin);
        return result;
      };
      const virtualHost: IrVirtualHost = { host, routes: redirected(this.withDefaultBackend(this.table.routes(host))) };
      if (isWildcardHost(host) && otherHosts.length > 0) virtualHost.fallthrough = redirected(otherHosts);
      if (tls?.own && hsts !== undefined) virtualHost.hsts = hsts;
      return virtualHost;
    });
    if (this.defaultBackend && !virtualHosts.some((v) => v.host === CATCH_ALL_HOST)) {
      const routes = withHttpsRedirects(otherHosts, false, this.redirects);
      for (const route of routes) if (route.httpsRedirect) forced.add(route.origin);
      virtualHosts.push({ host: CATCH_ALL_HOST, routes });
    }
    // Behind a load balancer that terminates TLS, Envoy must trust its X-Forwarded-Proto, or every
    // request arrives as plain HTTP and is redirected again, for ever.
    if (parameters.xffNumTrustedHops === 0 && parameters.useRemoteAddress) {
      for (const origin of [...forced].sort(compareStrings)) {
        this.diagnostics.push({ object: origin, severity: 'warning', message: `metadata.annotations["${FORCE_SSL_REDIRECT}"]: redirects hosts that Envoy does not serve over TLS; if a load balancer terminates TLS in front of Envoy, the class's parameters must trust it (clientIP.xffNumTrustedHops ≥ 1) so its X-Forwarded-Proto: https is believed, or the redirect loops` });
      }
    }
    const aliases = this.aliases.virtualHosts(virtualHosts);
    const twins = this.www.virtualHosts(new Set([...virtualHosts, ...aliases.virtualHosts].map((v) => v.host)), parameters.routeDefaults.redirectCode);
    this.diagnostics.push(...aliases.diagnostics, ...twins.diagnostics);
    virtualHosts.push(...aliases.virtualHosts, ...twins.virtualHosts);
    virtualHosts.sort((a, b) => compareHosts(a.host, b.host));
    this.warnSpoofableClientAddress(virtualHosts, parameters);
    // A host whose every path was refused routes nothing of its own: leave it to the catch-all.
    const nonEmpty = virtualHosts.filter((v) => v.routes.length > 0);
    const certificates = this.tls.certificates().map(({ name, certificate, origins }) => ({ name, ...certificate, origins }));
    if (defaultCertificate && !certificates.some((c) => c.name === defaultCertificate.name)) {
      certificates.push({ name: defaultCertificate.name, ...defaultCertificate.certificate, origins: [`Secret ${defaultCertificate.name}`, `IngressClass ${className}`] });
      certificates.sort((a, b) => compareStrings(a.name, b.name));
    }
    const fleet: IrFleet = {
      ingressClass: className,
      fleet: parameters.fleet ?? className,
      httpListener: { name: 'http', address: parameters.httpListener.address, port: parameters.httpListener.port },
      certificates: certificates.map(({ name, certificateChain, privateKey, notAfterMs, origins }) => ({ name, certificateChain, privateKey, notAfterMs, origins })),
      http: httpOptions(parameters),
      upstream: { connectTimeoutMs: parameters.timeouts.connectMs },
      xds: { virtualHostDiscovery: virtualHostDiscoveryFor(parameters.envoy).state === 'on' },
      virtualHosts: nonEmpty,
      clusters: this.usedClusters(nonEmpty.flatMap((v) => [...v.routes, ...(v.fallthrough ?? [])])),
      routeDefaults: routeDefaultsOf(parameters),
    };
    const https = this.httpsListener(parameters, defaultCertificate);
    if (https) fleet.https = https;
    return fleet;
  }

  /**
   * Without useRemoteAddress and with no trusted hops, Envoy takes the client address from the
   * X-Forwarded-For a client sends: source ranges and per-client limits would then trust the client.
   */
  private warnSpoofableClientAddress(virtualHosts: readonly IrVirtualHost[], parameters: FleetParameters): void {
    if (parameters.useRemoteAddress || parameters.xffNumTrustedHops > 0) return;
    const origins = new Set<string>();
    for (const host of virtualHosts) for (const route of [...host.routes, ...(host.fallthrough ?? [])]) if (route.policy?.sourceRanges || route.policy?.rateLimit) origins.add(route.origin);
    for (const origin of [...origins].sort(compareStrings)) {
      this.diagnostics.push({ object: origin, severity: 'warning', message: 'metadata.annotations: its source ranges and rate limits go by the client address, which its class takes from X-Forwarded-For as the client sent it (clientIP.useRemoteAddress: false, xffNumTrustedHops: 0): a client can choose its own address. Trust the proxies in front by count (xffNumTrustedHops) instead' });
    }
  }

  /** SNI chains for hosts with certificates of their own; the default certificate for the rest. */
  private httpsListener(parameters: FleetParameters, defaultCertificate: DefaultCertificate | undefined): IrHttps | undefined {
    const chains = [...this.tls.hostsByCertificate()].sort(([a], [b]) => compareStrings(a, b)).map(([certificate, serverNames]) => ({ certificate, serverNames }));
    if (chains.length === 0 && !defaultCertificate) return undefined;
    const { address, port } = parameters.httpsListener;
    const https: IrHttps = { listener: { name: 'https', address, port }, minimumVersion: parameters.tls.minimumVersion, chains };
    if (parameters.tls.cipherSuites) https.cipherSuites = parameters.tls.cipherSuites;
    if (defaultCertificate) https.defaultCertificate = defaultCertificate.name;
    return https;
  }

  /** Every host ends with the default backend, unless a rule of its own already takes "/". */
  private withDefaultBackend(routes: IrRoute[]): IrRoute[] {
    const takesEverything = routes.some((r) => (r.match.kind === 'prefix' || r.match.kind === 'stringPrefix') && r.match.path === '/');
    if (!this.defaultBackend || takesEverything) return routes;
    const { cluster, origin, routeName, deny, policy } = this.defaultBackend;
    return [...routes, { match: { kind: 'prefix', path: '/' }, action: deny ?? { kind: 'forward', cluster }, origin, name: routeName, ...(policy ? { policy } : {}) }];
  }

  private usedClusters(routes: IrRoute[]): IrCluster[] {
    const used = new Map<string, Set<string>>();
    const use = (cluster: string, origin: string): void => {
      const origins = used.get(cluster) ?? new Set<string>();
      origins.add(origin);
      used.set(cluster, origins);
    };
    for (const route of routes) {
      if (route.policy?.externalAuth) use(route.policy.externalAuth.cluster, route.origin);
      if (route.action.kind !== 'forward') continue;
      use(route.action.cluster, route.origin);
      if (route.action.canary) use(route.action.canary.cluster, route.action.canary.origin);
    }
    return this.clusters.build(used);
  }
}

type Reporter = (severity: Diagnostic['severity'], message: string) => void;
