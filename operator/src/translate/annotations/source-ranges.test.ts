import { describe, expect, it } from 'vitest';
import { readerOf } from '../../test-support/annotation-reader.js';
import { simulateRequest } from '../../test-support/route-simulator.js';
import { fixtures, ingressYaml, routeConfigurationOf, translateYaml } from '../../test-support/translate-yaml.js';
import { readSourceRanges } from './source-ranges.js';

const P = 'nginx.ingress.kubernetes.io/';
function read(annotations: Record<string, string>) {
  const reader = readerOf(annotations);
  return { ranges: readSourceRanges(reader), problems: reader.problems };
}

describe('readSourceRanges', () => {
  it('reads allow and deny lists, addresses as /32 and /128, sorted without repeats', () => {
    const { ranges, problems } = read({ 'allowlist-source-range': '10.0.0.0/8, 192.168.1.7,2001:db8::/32,10.0.0.0/8', 'denylist-source-range': '10.9.0.0/16,::1' });
    expect(problems).toEqual([]);
    expect(ranges).toEqual({ allow: ['10.0.0.0/8', '192.168.1.7/32', '2001:db8::/32'], deny: ['10.9.0.0/16', '::1/128'] });
    expect(read({ 'denylist-source-range': '203.0.113.0/24' }).ranges).toEqual({ allow: [], deny: ['203.0.113.0/24'] });
    expect(read({}).ranges).toBeUndefined();
  });

  it('whitelist-source-range is the old name; allowlist-source-range wins when both are set, unless it is empty', () => {
    expect(read({ 'whitelist-source-range': '10.0.0.0/8' }).ranges).toEqual({ allow: ['10.0.0.0/8'], deny: [] });
    const both = read({ 'allowlist-source-range': '172.16.0.0/12', 'whitelist-source-range': '0.0.0.0/0' });
    expect(both.ranges).toEqual({ allow: ['172.16.0.0/12'], deny: [] });
    expect(both.problems).toEqual([{ annotation: `${P}whitelist-source-range`, severity: 'warning', message: 'is ignored: allowlist-source-range is set too and takes its place' }]);
    expect(read({ 'allowlist-source-range': '', 'whitelist-source-range': '10.0.0.0/8' })).toEqual({ ranges: { allow: ['10.0.0.0/8'], deny: [] }, problems: [] });
  });

  it('cert-manager\'s solver value (every IPv4 and IPv6 address) restricts nothing: no policy at all', () => {
    expect(read({ 'whitelist-source-range': '0.0.0.0/0,::/0' })).toEqual({ ranges: undefined, problems: [] });
    // Every IPv4 address only: IPv6 clients are refused, as nginx's `allow 0.0.0.0/0; deny all;`.
    expect(read({ 'whitelist-source-range': '0.0.0.0/0' }).ranges).toEqual({ allow: ['0.0.0.0/0'], deny: [] });
    // A deny list still applies.
    expect(read({ 'whitelist-source-range': '0.0.0.0/0,::/0', 'denylist-source-range': '198.51.100.9' }).ranges).toEqual({ allow: ['0.0.0.0/0', '::/0'], deny: ['198.51.100.9/32'] });
  });

  it.each([
    ['allowlist-source-range', '10.0.0.0/33', '"10.0.0.0/33" is not an address or network'],
    ['whitelist-source-range', '10.0.0.0/8,intranet,300.1.1.1', '"intranet", "300.1.1.1" are not addresses or networks'],
    ['denylist-source-range', 'bad', '"bad" is not an address or network'],
    ['allowlist-source-range', '', 'is empty'],
    ['denylist-source-range', ' , ', 'is empty'],
  ])('%s: %j closes the Ingress (fail closed) and leaves the list out', (name, value, why) => {
    const { ranges, problems } = read({ [name]: value });
    expect(ranges).toBeUndefined();
    expect(problems).toEqual([{ annotation: P + name, severity: 'error', closes: true, message: `${why}; a list of addresses or CIDRs separated by commas is needed, such as "10.0.0.0/8,192.168.1.7"` }]);
  });

  it('an invalid deny list closes the Ingress even beside a valid allow list', () => {
    const { ranges, problems } = read({ 'allowlist-source-range': '10.0.0.0/8', 'denylist-source-range': '10.1.0.0/16,x' });
    expect(ranges).toEqual({ allow: ['10.0.0.0/8'], deny: [] });
    expect(problems.map((p) => [p.annotation, p.closes])).toEqual([[`${P}denylist-source-range`, true]]);
  });
});

describe('source ranges in a fleet', () => {
  const allow = { 'nginx.ingress.kubernetes.io/allowlist-source-range': '10.0.0.0/8' };

  it('guard the default backend of their Ingress too (ingress-nginx applies the annotations there)', () => {
    const config = translateYaml(fixtures({ services: ['app', 'fallback'] }), ingressYaml({ name: 'guarded', host: 'a.example.com', paths: [{ path: '/api', pathType: 'Prefix', service: 'app' }], annotations: allow, defaultBackend: 'fallback' }));
    const routes = routeConfigurationOf(config, 'portico').virtual_hosts?.find((v) => v.name === 'a.example.com')?.routes ?? [];
    const fallback = routes.find((r) => r.name === 'default/guarded/default-backend');
    expect(fallback?.route?.cluster).toBe('default/fallback/80');
    expect(Object.keys(fallback?.typed_per_filter_config ?? {})).toEqual(['envoy.filters.http.rbac']);
    expect(fallback?.typed_per_filter_config).toEqual(routes.find((r) => r.name === 'default/guarded/rule-0/path-0')?.typed_per_filter_config);
  });

  it('close the Ingress where the class turns the nginx family off: honoured or not, they are not read there', () => {
    const parameters = `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: portico}
spec:
  controller: portico.dev/ingress-controller
  parameters: {apiGroup: portico.dev, kind: ClusterIngressClassParameters, name: plain}
---
apiVersion: portico.dev/v1alpha1
kind: ClusterIngressClassParameters
metadata: {name: plain}
spec:
  annotationFamilies: {nginx: false}`;
    const services = fixtures({ services: ['app'] }).split('\n---\n').slice(1).join('\n---\n');
    const config = translateYaml(parameters, services, ingressYaml({ name: 'guarded', host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'app' }], annotations: allow }));
    expect(simulateRequest(routeConfigurationOf(config, 'portico'), 'a.example.com', '/')).toMatchObject({ status: 'direct', code: 503 });
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress default/guarded', severity: 'error', message: expect.stringContaining('nginx.ingress.kubernetes.io/allowlist-source-range is an access control') }));
  });
});
