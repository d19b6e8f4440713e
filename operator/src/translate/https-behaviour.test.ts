// What users observe of ssl-redirect, force-ssl-redirect, the ACME path and HSTS: requests routed
// through the plain-HTTP and HTTPS route tables of the https-redirects golden case.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RouteConfiguration } from '../../../xds-server/src/resources.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { loadManifests } from '../sources/manifests/load-manifests.js';
import { simulateRequest } from '../test-support/route-simulator.js';
import { fleetOf } from '../test-support/translate-yaml.js';

const CASE = join(import.meta.dirname, '..', '..', '..', 'testdata', 'golden', 'https-redirects');
const NOW = Date.parse('2026-11-29T00:00:00Z');

describe('HTTPS redirects and HSTS (testdata/golden/https-redirects)', () => {
  const fleet = fleetOf(buildEnvoyConfig(loadManifests([CASE]).state, NOW), 'nginx');
  const table = (name: string): RouteConfiguration => {
    const found = fleet.resources.routeConfigurations.find((rc) => rc.name === name);
    if (!found) throw new Error(`no route table ${name}`);
    return found;
  };
  const http = table('http');
  const https = table('https');

  it.each([
    ['blog.example.com', '/', 'https://blog.example.com/'],
    ['blog.example.com', '/post?id=7', 'https://blog.example.com/post?id=7'],
    ['lb.example.com', '/', 'https://lb.example.com/'],
  ])('plain HTTP %s%s → 308 %s', (host, path, location) => {
    expect(simulateRequest(http, host, path)).toMatchObject({ status: 'redirect', code: 308, location });
  });

  it.each([
    ['blog.example.com', '/feed.xml', 'web/web/80', 'ssl-redirect "false" on its Ingress'],
    ['blog.example.com', '/.well-known/acme-challenge/Yq1zO2nV8c', 'web/cm-acme-http-solver-x7k2p/8089', 'the ACME HTTP-01 path'],
    ['nocert.example.com', '/', 'web/web/80', 'no usable certificate and no default one'],
  ])('plain HTTP %s%s is served (%s)', (host, path, cluster) => {
    expect(simulateRequest(http, host, path)).toMatchObject({ status: 'routed', cluster });
  });

  it('serves plain HTTP that a trusted proxy received over HTTPS (X-Forwarded-Proto), instead of redirecting for ever', () => {
    expect(simulateRequest(http, 'blog.example.com', '/', { 'x-forwarded-proto': 'https' })).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
    expect(simulateRequest(http, 'lb.example.com', '/', { 'x-forwarded-proto': 'https' })).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
  });

  it('routes the same requests over HTTPS without any redirect', () => {
    for (const [host, path] of [['blog.example.com', '/'], ['blog.example.com', '/feed.xml'], ['lb.example.com', '/'], ['nocert.example.com', '/']] as const) {
      expect(simulateRequest(https, host, path, { 'x-forwarded-proto': 'https' }).status, `${host}${path}`).toBe('routed');
    }
  });

  it('adds HSTS (the class defaults) on HTTPS to hosts with a certificate of their own, never over plain HTTP', () => {
    const hsts = (rc: RouteConfiguration, host: string): unknown => rc.virtual_hosts?.find((v) => v.name === host)?.response_headers_to_add;
    expect(hsts(https, 'blog.example.com')).toEqual([{ header: { key: 'strict-transport-security', value: 'max-age=31536000; includeSubDomains' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    expect(hsts(https, 'lb.example.com')).toBeUndefined();
    expect(hsts(http, 'blog.example.com')).toBeUndefined();
  });
});
