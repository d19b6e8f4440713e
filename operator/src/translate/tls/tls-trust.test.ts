// What a fleet's certificates may never be: another namespace's Secret named by namespaced
// parameters, the xDS channel's own Secrets, a client certificate, or a host taken over by an
// Ingress that routes nothing there.
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueClientCertificate, issueServerCertificate } from '../../../../xds-server/src/index.js';
import type { KeyPair } from '../../../../xds-server/src/index.js';
import { fleetOf, translateYaml } from '../../test-support/translate-yaml.js';

let ca: KeyPair;
let server: KeyPair;
let client: KeyPair;

beforeAll(async () => {
  ca = await createCa('tls-trust test CA');
  server = await issueServerCertificate(ca, { dnsNames: ['shop.example.com', 'ingress.example.com'] });
  client = await issueClientCertificate(ca, { fleets: ['other'] });
});

const b64 = (text: string): string => Buffer.from(text).toString('base64');
const secret = (namespace: string, name: string, pair: KeyPair, labels = ''): string => `apiVersion: v1
kind: Secret
metadata: {namespace: ${namespace}, name: ${name}${labels ? `, labels: {${labels}}` : ''}}
type: kubernetes.io/tls
data: {tls.crt: ${b64(pair.cert)}, tls.key: ${b64(pair.key)}}
---
`;
const classWith = (parametersNamespace: string, certificate: string): string => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec:
  controller: portico.dev/ingress-controller
  parameters: {apiGroup: portico.dev, kind: IngressClassParameters, scope: Namespace, namespace: ${parametersNamespace}, name: p}
---
apiVersion: portico.dev/v1alpha1
kind: IngressClassParameters
metadata: {name: p, namespace: ${parametersNamespace}}
spec: {tls: {defaultCertificate: {namespace: ${certificate.split('/')[0]}, name: ${certificate.split('/')[1]}}}}
---
`;
const ingress = (namespace: string, name: string, tls: string, rules: string[], created: string): string => `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {namespace: ${namespace}, name: ${name}, creationTimestamp: "${created}"}
spec:
  ingressClassName: nginx
  tls: [${tls}]
  rules: [${rules.map((host) => `{host: ${host}, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}`).join(', ')}]
---
`;

describe('certificates a fleet may not be served', () => {
  it('namespaced parameters cannot name another namespace\'s Secret as the default certificate', () => {
    const config = translateYaml(classWith('team', 'portico-system/portico-xds-ca') + secret('portico-system', 'portico-xds-ca', server));
    const fleet = fleetOf(config, 'nginx');
    expect(fleet.resources.secrets).toEqual([]);
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'IngressClass nginx', severity: 'error', message: expect.stringMatching(/may name a Secret of that namespace only, not portico-system\/portico-xds-ca/) }));
  });

  it('never serves the xDS channel\'s own Secrets, even from the parameters\' namespace', () => {
    const config = translateYaml(classWith('portico-system', 'portico-system/portico-xds-ca') + secret('portico-system', 'portico-xds-ca', server, 'portico.dev/xds-identity: "true"'));
    expect(fleetOf(config, 'nginx').resources.secrets).toEqual([]);
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/is one of Portico's xDS channel Secrets/) }));
  });

  it('never serves a client certificate as a default certificate', () => {
    const config = translateYaml(classWith('team', 'team/client') + secret('team', 'client', client));
    expect(fleetOf(config, 'nginx').resources.secrets).toEqual([]);
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ message: expect.stringMatching(/not for servers \(its extended key usage lacks serverAuth\)/) }));
  });

  it('serves a default certificate of the parameters\' own namespace', () => {
    const config = translateYaml(classWith('team', 'team/fallback') + secret('team', 'fallback', server));
    expect(fleetOf(config, 'nginx').resources.secrets.map((s) => s.name)).toEqual(['team/fallback']);
  });

  it('a tls entry for a host the Ingress does not route takes nothing from the Ingress that does', () => {
    const config = translateYaml(
      classWith('team', 'team/fallback') + secret('team', 'fallback', server) + secret('shop', 'shop-tls', server),
      // Older, in another namespace, listing shop.example.com in tls without routing it.
      ingress('evil', 'squat', '{hosts: [shop.example.com]}', ['evil.example.com'], '2020-01-01T00:00:00Z'),
      ingress('shop', 'shop', '{hosts: [shop.example.com], secretName: shop-tls}', ['shop.example.com'], '2026-01-01T00:00:00Z'),
    );
    const https = fleetOf(config, 'nginx').resources.listeners.find((l) => l.name === 'https');
    expect(https?.filter_chains?.map((c) => [c.name, c.filter_chain_match?.server_names])).toEqual([['sni:shop/shop-tls', ['shop.example.com']]]);
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress evil/squat', severity: 'warning', message: expect.stringMatching(/shop.example.com is not the host of any rule of this Ingress/) }));
  });
});
