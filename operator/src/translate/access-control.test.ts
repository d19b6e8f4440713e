// Never fail open: requests for an Ingress whose access control Portico does not honour never
// reach its backend (testdata/golden/unhonoured-access-control, through the route simulator).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEnvoyConfig } from '../pipeline.js';
import { loadManifests } from '../sources/manifests/load-manifests.js';
import { simulateRequest } from '../test-support/route-simulator.js';
import { fixtures, ingressYaml, routeConfigurationOf, translateYaml } from '../test-support/translate-yaml.js';
import { isAccessControl, isSnippet, unhonouredAccessControl } from './annotations/access-control.js';

const CASE = join(import.meta.dirname, '..', '..', '..', 'testdata', 'golden', 'unhonoured-access-control');

describe('access-control annotations Portico does not honour', () => {
  const config = buildEnvoyConfig(loadManifests([CASE]).state);

  it('close the Ingress by default: 503 from Envoy for every path and the app-root, nothing forwarded', () => {
    const table = routeConfigurationOf(config, 'nginx');
    for (const path of ['/', '/dashboard', '/api/users?id=1']) {
      expect(simulateRequest(table, 'admin.example.com', path), path).toMatchObject({ status: 'direct', code: 503 });
    }
    expect(simulateRequest(table, 'shop.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'apps/web/80' });
    expect(simulateRequest(table, 'snippet.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'apps/web/80' });
  });

  it('are served with a warning where the class relaxes it', () => {
    expect(simulateRequest(routeConfigurationOf(config, 'relaxed'), 'legacy.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'apps/web/80' });
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress apps/legacy', severity: 'warning', message: expect.stringMatching(/served WITHOUT them/) }));
  });

  it('are every auth-* annotation, allow and deny lists, rate limits and the WAF; snippets are not (they only warn)', () => {
    const prefix = 'nginx.ingress.kubernetes.io/';
    for (const name of ['auth-url', 'auth-type', 'auth-tls-secret', 'auth-tls-verify-client', 'whitelist-source-range', 'denylist-source-range', 'limit-rps', 'enable-modsecurity', 'satisfy']) {
      expect(isAccessControl(prefix + name), name).toBe(true);
    }
    for (const name of ['auth-snippet', 'configuration-snippet', 'proxy-body-size', 'rewrite-target']) expect(isAccessControl(prefix + name), name).toBe(false);
    expect(isSnippet(`${prefix}server-snippet`)).toBe(true);
    expect(unhonouredAccessControl({ [`${prefix}limit-connections`]: '10', [`${prefix}auth-type`]: 'basic', [`${prefix}limit-rpm`]: '10', [`${prefix}auth-url`]: 'x', 'example.com/auth-type': 'y' })).toEqual([`${prefix}auth-type`, `${prefix}limit-connections`]);
  });
});

describe('access control Portico honours but cannot apply as written', () => {
  const manifests = (policy: string): string => `${fixtures({ services: ['web'] })}
---
apiVersion: portico.dev/v1alpha1
kind: ClusterIngressClassParameters
metadata: {name: relaxed}
spec: {annotationFamilies: {unhonouredAccessControl: ${policy}}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: relaxed}
spec: {controller: portico.dev/ingress-controller, parameters: {apiGroup: portico.dev, kind: ClusterIngressClassParameters, name: relaxed}}
---
${ingressYaml({ name: 'typo', host: 'typo.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }], annotations: { 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/33' } }).replace('ingressClassName: portico', 'ingressClassName: relaxed')}`;

  it.each(['Refuse', 'Warn'])('closes the Ingress even where the class says %s: a typo in an allow-list never opens it', (policy) => {
    const config = translateYaml(manifests(policy));
    expect(simulateRequest(routeConfigurationOf(config, 'relaxed'), 'typo.example.com', '/')).toMatchObject({ status: 'direct', code: 503 });
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress default/typo', severity: 'error', message: expect.stringMatching(/whitelist-source-range cannot be applied as written/) }));
  });
});

describe('a class that takes the client address from what the client sends', () => {
  it('warns the Ingresses whose source ranges and rate limits go by that address', () => {
    const config = translateYaml(`${fixtures({ services: ['web'] })}
---
apiVersion: portico.dev/v1alpha1
kind: ClusterIngressClassParameters
metadata: {name: spoofable}
spec: {clientIP: {useRemoteAddress: false, xffNumTrustedHops: 0}}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: spoofable}
spec: {controller: portico.dev/ingress-controller, parameters: {apiGroup: portico.dev, kind: ClusterIngressClassParameters, name: spoofable}}
---
${ingressYaml({ name: 'office', host: 'office.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }], annotations: { 'nginx.ingress.kubernetes.io/whitelist-source-range': '10.0.0.0/8' } }).replace('ingressClassName: portico', 'ingressClassName: spoofable')}`);
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress default/office', severity: 'warning', message: expect.stringMatching(/a client can choose its own address/) }));
  });
});
