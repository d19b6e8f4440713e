// A model of how Envoy routes one request through a RouteConfiguration, for tests only: virtual
// host choice (exact, then longest suffix wildcard, then `*`), first-match routes (prefix, path,
// safe_regex, header matchers), regex_rewrite and redirects, after the HCM's port stripping and
// slash merging. It follows Envoy's documented rules (see ../../../docs/architecture.md, Envoy's
// "HTTP routing" architecture overview and api/envoy/config/route/v3/route_components.proto); no
// Envoy binary can run here, and the Envoy-binary suite checks the same expectations against a
// real Envoy where ENVOY_BIN is set.
import { RE2JS } from 're2js';
import type { HeaderMatcher } from '../../../xds-server/src/generated/envoy/config/route/v3/HeaderMatcher.js';
import type { Route } from '../../../xds-server/src/generated/envoy/config/route/v3/Route.js';
import type { VirtualHost } from '../../../xds-server/src/generated/envoy/config/route/v3/VirtualHost.js';
import type { RouteConfiguration } from '../../../xds-server/src/resources.js';

export interface RoutedRequest {
  /** Envoy's 404 with response flag NR when no virtual host or route matched. */
  status: 'routed' | 'redirect' | 'direct' | 'not-found';
  virtualHost?: string;
  cluster?: string;
  /** :path sent upstream (query kept). */
  path?: string;
  location?: string;
  code?: number;
}

const REDIRECT_CODES: Record<string, number> = { MOVED_PERMANENTLY: 301, FOUND: 302, SEE_OTHER: 303, TEMPORARY_REDIRECT: 307, PERMANENT_REDIRECT: 308 };

/**
 * @param headers request headers after the HCM's own mutation, lowercase names; `x-forwarded-proto`
 * defaults to "http" (what Envoy sets on a plain connection from an untrusted peer).
 * @param draw Envoy's random number for a route with weighted_clusters (taken modulo the sum of
 * the weights); required when the request meets such a route, so a test decides the outcome.
 */
export function simulateRequest(config: RouteConfiguration, authority: string, rawPath: string, headers: Record<string, string> = {}, draw?: number): RoutedRequest {
  const host = authority.replace(/:\d+$/, '');
  const path = rawPath.replace(/\/{2,}/g, '/');
  const virtualHost = selectVirtualHost(config.virtual_hosts ?? [], host.toLowerCase());
  if (!virtualHost) return { status: 'not-found' };
  const request = { 'x-forwarded-proto': 'http', ...headers, ':authority': host };
  const route = (virtualHost.routes ?? []).find((r) => routeMatches(r, request, path));
  if (!route) return { status: 'not-found', virtualHost: virtualHost.name ?? '' };
  const [pathOnly = '', query] = splitQuery(path);
  // Answered by Envoy itself: nothing reaches a backend.
  if (route.direct_response) return { status: 'direct', virtualHost: virtualHost.name ?? '', code: route.direct_response.status ?? 0 };
  if (route.redirect) {
    const code = REDIRECT_CODES[String(route.redirect.response_code ?? 'MOVED_PERMANENTLY')] ?? 301;
    const redirect = route.redirect;
    const scheme = redirect.https_redirect ? 'https' : (redirect.scheme_redirect ?? request['x-forwarded-proto']);
    const port = redirect.port_redirect ? `:${redirect.port_redirect}` : '';
    // A path_redirect with its own query replaces the request's; strip_query drops the request's.
    const target = redirect.path_redirect ?? pathOnly;
    const keptQuery = target.includes('?') || redirect.strip_query || query === undefined ? '' : `?${query}`;
    const location = `${scheme}://${redirect.host_redirect ?? host}${port}${target}${keptQuery}`;
    return { status: 'redirect', virtualHost: virtualHost.name ?? '', location, code };
  }
  const action = route.route;
  let upstreamPath = pathOnly;
  const rewrite = action?.regex_rewrite;
  if (rewrite?.pattern?.regex !== undefined) {
    upstreamPath = RE2JS.compile(rewrite.pattern.regex).matcher(pathOnly).replaceAll(re2ToJavaReplacement(rewrite.substitution ?? ''));
  }
  return {
    status: 'routed',
    virtualHost: virtualHost.name ?? '',
    cluster: action?.weighted_clusters ? pickWeighted(action.weighted_clusters.clusters ?? [], draw, route.name ?? '') : (action?.cluster ?? ''),
    path: query === undefined ? upstreamPath : `${upstreamPath}?${query}`,
  };
}

/** Envoy's pick (WeightedClusterEntry): the cluster whose cumulative weight range holds draw % sum. */
function pickWeighted(clusters: { name?: string; weight?: { value?: number } | null }[], draw: number | undefined, route: string): string {
  if (draw === undefined) throw new Error(`route ${route} splits by weight: pass the random draw`);
  const sum = clusters.reduce((total, c) => total + Number(c.weight?.value ?? 0), 0);
  let begin = 0;
  for (const cluster of clusters) {
    const end = begin + Number(cluster.weight?.value ?? 0);
    if (draw % sum >= begin && draw % sum < end) return cluster.name ?? '';
    begin = end;
  }
  throw new Error(`route ${route}: weighted clusters sum to ${sum}`);
}

function selectVirtualHost(virtualHosts: VirtualHost[], host: string): VirtualHost | undefined {
  const exact = virtualHosts.find((v) => (v.domains ?? []).some((d) => d.toLowerCase() === host));
  if (exact) return exact;
  let best: { vhost: VirtualHost; length: number } | undefined;
  for (const vhost of virtualHosts) {
    for (const domain of vhost.domains ?? []) {
      if (!domain.startsWith('*') || domain === '*') continue;
      const suffix = domain.slice(1).toLowerCase();
      // ">= because *.foo.com shouldn't match .foo.com": the wildcard needs at least one character.
      if (host.length > suffix.length && host.endsWith(suffix) && (!best || suffix.length > best.length)) best = { vhost, length: suffix.length };
    }
  }
  if (best) return best.vhost;
  return virtualHosts.find((v) => (v.domains ?? []).includes('*'));
}

function routeMatches(route: Route, request: Record<string, string>, path: string): boolean {
  const match = route.match ?? {};
  const [pathOnly = ''] = splitQuery(path);
  let pathOk: boolean;
  if (match.prefix !== undefined) pathOk = path.startsWith(match.prefix);
  else if (match.path !== undefined) pathOk = pathOnly === match.path;
  else if (match.safe_regex?.regex !== undefined) pathOk = RE2JS.compile(match.safe_regex.regex).matches(pathOnly);
  else throw new Error(`route ${route.name ?? ''} has a path specifier this simulator does not model`);
  return pathOk && (match.headers ?? []).every((header) => headerMatches(header, request));
}

/** safe_regex and exact string matchers; an absent header matches nothing (then inverted). */
function headerMatches(header: HeaderMatcher, request: Record<string, string>): boolean {
  const value = request[header.name ?? ''];
  const { safe_regex: regex, exact } = header.string_match ?? {};
  if (regex?.regex === undefined && exact === undefined) throw new Error(`header matcher on ${header.name ?? ''}: only safe_regex and exact are modelled`);
  const matched = value !== undefined && (exact !== undefined ? value === exact : RE2JS.compile(regex?.regex ?? '').matches(value));
  return header.invert_match === true ? !matched : matched;
}

function splitQuery(path: string): [string, string | undefined] {
  const at = path.indexOf('?');
  return at < 0 ? [path, undefined] : [path.slice(0, at), path.slice(at + 1)];
}

/** RE2 writes group N as \N; re2js's replaceAll takes Java's $N. */
function re2ToJavaReplacement(substitution: string): string {
  return substitution.replace(/\$/g, '\\$').replace(/\\\\|\\(\d)/g, (whole, digit: string | undefined) => (digit === undefined ? '\\\\' : `$${digit}`));
}
