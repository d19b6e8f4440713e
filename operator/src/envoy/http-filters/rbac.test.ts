// Source ranges, request by request: the route simulator picks the route Envoy would, and the
// RBACPerRoute on it is evaluated as Envoy's RBAC filter does (source/extensions/filters/common/rbac/
// matchers.cc: a policy matches when any permission and any principal match; an ALLOW engine lets
// a request through when some policy matches). The client address is the one the listener trusts,
// which is what `remote_ip` compares.
import { BlockList, isIP } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../../xds-server/src/generated/envoy/config/rbac/v3/Principal.js';
import type { RBACPerRoute } from '../../../../xds-server/src/generated/envoy/extensions/filters/http/rbac/v3/RBACPerRoute.js';
import type { Route } from '../../../../xds-server/src/generated/envoy/config/route/v3/Route.js';
import { RBAC_PER_ROUTE_TYPE, RBAC_TYPE } from '../../../../xds-server/src/protos/type-urls.js';
import type { RouteConfiguration } from '../../../../xds-server/src/resources.js';
import type { IrFleet, IrRoute } from '../../ir/types.js';
import { buildEnvoyConfig } from '../../pipeline.js';
import { loadManifests } from '../../sources/manifests/load-manifests.js';
import { simulateRequest } from '../../test-support/route-simulator.js';
import { routeConfigurationOf } from '../../test-support/translate-yaml.js';
import { httpFilters, routeFilterConfigs } from './index.js';
import { rbacFilter, sourceRangesRbac } from './rbac.js';

const CASE = join(import.meta.dirname, '..', '..', '..', '..', 'testdata', 'golden', 'cors-and-source-ranges');

function inRange(ip: string, range: { address_prefix?: string; prefix_len?: { value?: number } | null } | null | undefined): boolean {
  const address = range?.address_prefix ?? '';
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if ((isIP(ip) === 6 ? 'ipv6' : 'ipv4') !== family) return false;
  const list = new BlockList();
  list.addSubnet(address, Number(range?.prefix_len?.value ?? 0), family);
  return list.check(ip, family);
}

function principalMatches(principal: Principal, ip: string): boolean {
  if (principal.any === true) return true;
  if (principal.remote_ip) return inRange(ip, principal.remote_ip);
  if (principal.not_id) return !principalMatches(principal.not_id, ip);
  if (principal.and_ids) return (principal.and_ids.ids ?? []).every((id) => principalMatches(id, ip));
  if (principal.or_ids) return (principal.or_ids.ids ?? []).some((id) => principalMatches(id, ip));
  throw new Error(`principal not modelled: ${JSON.stringify(principal)}`);
}

/** 403 or the backend, as Envoy's RBAC filter decides for a client at `ip` on this route. */
function rbacVerdict(route: Route | undefined, ip: string): 'allowed' | 403 {
  const config = route?.typed_per_filter_config?.['envoy.filters.http.rbac'] as (RBACPerRoute & { '@type': string }) | undefined;
  if (!config?.rbac?.rules) return 'allowed';
  expect(config['@type']).toBe(RBAC_PER_ROUTE_TYPE);
  const rules = config.rbac.rules;
  const matched = Object.values(rules.policies ?? {}).some((policy) => (policy.permissions ?? []).some((p) => p.any === true) && (policy.principals ?? []).some((p) => principalMatches(p, ip)));
  const allow = (rules.action ?? 'ALLOW') === 'ALLOW';
  return matched === allow ? 'allowed' : 403;
}

/** What a client at `ip` gets for host + path: the route simulator's answer, then the RBAC filter's. */
function request(table: RouteConfiguration, host: string, path: string, ip: string): { status: string | number; cluster?: string } {
  const routed = simulateRequest(table, host, path, { 'x-forwarded-proto': 'https' });
  if (routed.status !== 'routed') return { status: routed.status === 'direct' ? (routed.code ?? 0) : routed.status };
  const routes = table.virtual_hosts?.find((v) => v.name === routed.virtualHost)?.routes ?? [];
  const candidates = routes.filter((r) => r.route?.cluster === routed.cluster);
  expect(candidates, `one route to ${routed.cluster ?? ''} on ${host}`).toHaveLength(1);
  return rbacVerdict(candidates[0], ip) === 403 ? { status: 403 } : { status: 'routed', ...(routed.cluster ? { cluster: routed.cluster } : {}) };
}

describe('source ranges, request by request (golden cors-and-source-ranges)', () => {
  const table = routeConfigurationOf(buildEnvoyConfig(loadManifests([CASE]).state), 'nginx');

  it('office: the allow list passes, the deny list carved out of it and everyone else get 403', () => {
    const web = { status: 'routed', cluster: 'apps/web/80' };
    expect(request(table, 'office.example.com', '/', '10.1.2.3')).toEqual(web);
    expect(request(table, 'office.example.com', '/reports', '192.168.1.7')).toEqual(web);
    expect(request(table, 'office.example.com', '/', '2001:db8:1::5')).toEqual(web);
    expect(request(table, 'office.example.com', '/', '10.9.0.1')).toEqual({ status: 403 });
    expect(request(table, 'office.example.com', '/', '192.168.1.8')).toEqual({ status: 403 });
    expect(request(table, 'office.example.com', '/', '198.51.100.1')).toEqual({ status: 403 });
    expect(request(table, 'office.example.com', '/', '2001:db9::1')).toEqual({ status: 403 });
  });

  it('cert-manager\'s solver path on the same host answers every client', () => {
    for (const ip of ['198.51.100.1', '10.9.0.1', '2001:db9::1']) {
      expect(request(table, 'office.example.com', '/.well-known/acme-challenge/Zk3pM0f2', ip)).toEqual({ status: 'routed', cluster: 'apps/solver/8089' });
    }
  });

  it('a deny list alone refuses only its clients', () => {
    expect(request(table, 'blocked.example.com', '/', '203.0.113.50')).toEqual({ status: 403 });
    expect(request(table, 'blocked.example.com', '/', '203.0.114.1')).toEqual({ status: 'routed', cluster: 'apps/web/80' });
    expect(request(table, 'blocked.example.com', '/', '::1')).toEqual({ status: 'routed', cluster: 'apps/web/80' });
  });

  it('allowlist-source-range wins over whitelist-source-range', () => {
    expect(request(table, 'both.example.com', '/', '172.20.0.1')).toEqual({ status: 'routed', cluster: 'apps/web/80' });
    expect(request(table, 'both.example.com', '/', '8.8.8.8')).toEqual({ status: 403 });
  });

  it('an invalid address closes the Ingress: 503 from Envoy for every client, nothing forwarded', () => {
    for (const ip of ['10.0.0.1', '8.8.8.8']) expect(request(table, 'bad.example.com', '/', ip)).toEqual({ status: 503 });
  });

  it('hosts without source ranges are untouched', () => {
    expect(request(table, 'public.example.com', '/', '203.0.113.50')).toEqual({ status: 'routed', cluster: 'apps/web/80' });
  });
});

describe('rbacFilter', () => {
  const route = (sourceRanges?: { allow: string[]; deny: string[] }): IrRoute => ({ match: { kind: 'prefix', path: '/' }, action: { kind: 'forward', cluster: 'c' }, origin: 'Ingress a/b', name: 'a/b/rule-0/path-0', ...(sourceRanges ? { policy: { sourceRanges } } : {}) });
  const fleet = (routes: IrRoute[]) => ({ virtualHosts: [{ host: 'a.example.com', routes }], http: { maxRequestBodyBytes: 0 } }) as unknown as IrFleet;

  it('is on the listener, off by default, only when some route has source ranges', () => {
    expect(httpFilters(fleet([route()])).map((f) => f.name)).toEqual(['envoy.filters.http.router']);
    const filters = httpFilters(fleet([route(), route({ allow: ['10.0.0.0/8'], deny: [] })]));
    expect(filters.map((f) => f.name)).toEqual(['envoy.filters.http.rbac', 'envoy.filters.http.router']);
    // No rules: on for a route without a config of its own, it would refuse nothing.
    expect(filters[0]).toEqual({ name: 'envoy.filters.http.rbac', typed_config: { '@type': RBAC_TYPE }, disabled: true });
    expect(routeFilterConfigs(route())).toBeUndefined();
    expect(Object.keys(routeFilterConfigs(route({ allow: ['10.0.0.0/8'], deny: [] })) ?? {})).toEqual([rbacFilter.name]);
  });

  it('one ALLOW policy: not denied and (when there is one) in the allow list', () => {
    const ip = (address: string, len: number) => ({ remote_ip: { address_prefix: address, prefix_len: { value: len } } });
    expect(sourceRangesRbac({ allow: ['10.0.0.0/8'], deny: [] }).rbac?.rules?.policies?.['source-ranges']).toEqual({ permissions: [{ any: true }], principals: [ip('10.0.0.0', 8)] });
    expect(sourceRangesRbac({ allow: [], deny: ['::1/128', '10.0.0.0/8'] }).rbac?.rules?.policies?.['source-ranges']?.principals).toEqual([{ not_id: { or_ids: { ids: [ip('::1', 128), ip('10.0.0.0', 8)] } } }]);
    expect(sourceRangesRbac({ allow: ['10.0.0.0/8'], deny: ['10.1.0.0/16'] }).rbac?.rules).toEqual({
      action: 'ALLOW',
      policies: { 'source-ranges': { permissions: [{ any: true }], principals: [{ and_ids: { ids: [{ not_id: ip('10.1.0.0', 16) }, ip('10.0.0.0', 8)] } }] } },
    });
    // Never reached with empty lists (the reader drops such a policy), but refuses everyone if it were.
    expect(rbacVerdict({ typed_per_filter_config: { 'envoy.filters.http.rbac': { '@type': RBAC_PER_ROUTE_TYPE, ...sourceRangesRbac({ allow: [], deny: [] }) } } }, '10.0.0.1')).toBe(403);
  });
});
