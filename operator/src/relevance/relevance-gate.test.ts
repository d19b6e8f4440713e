import { describe, expect, it } from 'vitest';
import type { ObjectChange } from '../sources/kubernetes/reflector.js';
import type { SupportedKind } from '../store/cluster-state.js';
import { toTypedObject } from '../store/typed-objects.js';
import { ReferenceIndex } from './reference-index.js';
import { ingressReferences } from './references.js';
import { RelevanceGate } from './relevance-gate.js';

const OWNERSHIP = { controllerName: 'portico.dev/ingress-controller' };
let version = 1;

function object(kind: SupportedKind, raw: Record<string, unknown>): { metadata?: { namespace?: string; name?: string } } {
  const metadata = { ...(raw['metadata'] as object), resourceVersion: String(version++) };
  return toTypedObject(kind, { ...raw, metadata });
}

function ingress(name: string, className: string, spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}): Record<string, unknown> {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { namespace: 'shop', name, annotations },
    spec: { ingressClassName: className, rules: [{ host: 'shop.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }], ...spec },
  };
}

const CLASSES = [
  { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'portico' }, spec: { controller: 'portico.dev/ingress-controller' } },
  { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'nginx' }, spec: { controller: 'k8s.io/ingress-nginx' } },
];

const service = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'shop', name }, spec: { ports: [{ port: 80 }] } });
const slice = (name: string, serviceName: string, address: string): Record<string, unknown> => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { namespace: 'shop', name, labels: { 'kubernetes.io/service-name': serviceName } },
  addressType: 'IPv4',
  endpoints: [{ addresses: [address] }],
});
const secret = (name: string): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { namespace: 'shop', name }, data: {} });

/** A gate that has seen the classes, the Ingress `web` of class portico and `legacy` of nginx. */
function gate(): { gate: RelevanceGate; put: (kind: SupportedKind, raw: Record<string, unknown>) => ObjectChange; objects: Map<string, unknown> } {
  const g = new RelevanceGate(OWNERSHIP);
  const objects = new Map<string, unknown>();
  const put = (kind: SupportedKind, raw: Record<string, unknown>): ObjectChange => {
    const current = object(kind, raw);
    const key = `${current.metadata?.namespace ?? ''}/${current.metadata?.name ?? ''}`;
    const previous = objects.get(`${kind} ${key}`);
    objects.set(`${kind} ${key}`, current);
    return { kind, key, ...(previous ? { previous } : {}), current };
  };
  g.observe([
    ...CLASSES.map((c) => put('IngressClass', c)),
    put('Ingress', ingress('web', 'portico', { tls: [{ secretName: 'web-tls' }] }, { 'nginx.ingress.kubernetes.io/auth-url': 'http://auth.login.svc.cluster.local/check' })),
    put('Ingress', ingress('legacy', 'nginx', { defaultBackend: { service: { name: 'old', port: { number: 80 } } }, tls: [{ secretName: 'old-tls' }] })),
  ]);
  return { gate: g, put, objects };
}

describe('ingressReferences', () => {
  it('lists backends, the default backend, auth services named by URL, and TLS Secrets', () => {
    const refs = ingressReferences(toTypedObject('Ingress', ingress('web', 'portico', {
      defaultBackend: { service: { name: 'fallback', port: { number: 80 } } },
      tls: [{ secretName: 'web-tls' }, { hosts: ['x'] }],
    }, { 'nginx.ingress.kubernetes.io/auth-url': 'HTTPS://Auth.Login.svc:8443/check', other: 'not a url' })));
    expect(refs.services.sort()).toEqual(['login/auth', 'shop/fallback', 'shop/web']);
    expect(refs.secrets).toEqual(['shop/web-tls']);
  });
});

describe('ReferenceIndex', () => {
  it('answers both ways and follows a referrer that changes or goes', () => {
    const index = new ReferenceIndex();
    index.set('i1', ['s1', 's2']);
    index.set('i2', ['s2']);
    expect([...index.referrers('s2')].sort()).toEqual(['i1', 'i2']);
    index.set('i1', ['s3']);
    expect([...index.referrers('s1')]).toEqual([]);
    expect([...index.targets('i1')]).toEqual(['s3']);
    index.delete('i2');
    expect([...index.referrers('s2')]).toEqual([]);
  });
});

describe('RelevanceGate', () => {
  it('skips Services, slices and Secrets that no Ingress of ours uses, and Ingresses of other classes', () => {
    const { gate: g, put } = gate();
    expect(g.observe([put('Service', service('old'))])).toMatchObject({ rebuild: false, skipped: 1 });
    expect(g.observe([put('Service', service('unused'))])).toMatchObject({ rebuild: false, skipped: 1 });
    expect(g.observe([put('EndpointSlice', slice('old-1', 'old', '10.0.0.1'))])).toMatchObject({ rebuild: false, skipped: 1 });
    expect(g.observe([put('Secret', secret('old-tls'))])).toMatchObject({ rebuild: false, skipped: 1 });
    expect(g.observe([put('Ingress', ingress('legacy', 'nginx', { defaultBackend: { service: { name: 'web', port: { number: 80 } } } }))])).toMatchObject({ rebuild: false, skipped: 1 });
  });

  it('rebuilds for what an Ingress of ours uses: its Services (backends and auth), its Secrets; its slices are endpoint updates', () => {
    const { gate: g, put } = gate();
    expect(g.observe([put('Service', service('web'))]).rebuild).toBe(true);
    expect(g.observe([put('Service', { ...service('auth'), metadata: { namespace: 'login', name: 'auth' } })]).rebuild).toBe(true);
    expect(g.observe([put('Secret', secret('web-tls'))]).rebuild).toBe(true);
    // A slice that appears, changes, moves to another Service or goes: endpoint updates of the
    // Services of ours it leaves or joins (ChangeRouter also publishes their new origins).
    expect(g.observe([put('EndpointSlice', slice('web-1', 'web', '10.0.0.1'))])).toMatchObject({ rebuild: false, endpoints: new Set(['shop/web']) });
    expect(g.observe([put('EndpointSlice', slice('web-1', 'web', '10.0.0.2'))])).toMatchObject({ rebuild: false, endpoints: new Set(['shop/web']) });
    expect(g.observe([put('EndpointSlice', slice('web-1', 'old', '10.0.0.2'))])).toMatchObject({ rebuild: false, endpoints: new Set(['shop/web']) });
  });

  it('names an Ingress that joins or leaves our classes (its scope is translated), and rebuilds for classes and parameters', () => {
    const { gate: g, put } = gate();
    expect(g.observe([put('Ingress', ingress('legacy', 'portico'))])).toMatchObject({ rebuild: false, ingresses: new Set(['shop/legacy']) });
    expect(g.observe([put('Ingress', ingress('legacy', 'nginx'))])).toMatchObject({ rebuild: false, ingresses: new Set(['shop/legacy']) });
    expect(g.observe([put('IngressClass', CLASSES[1] as Record<string, unknown>)]).rebuild).toBe(true);
    expect(g.observe([{ kind: 'ClusterIngressClassParameters', key: '/p', current: { metadata: { name: 'p', resourceVersion: '1' } } }]).rebuild).toBe(true);
  });

  it('after an Ingress stops using a Service, that Service no longer matters', () => {
    const { gate: g, put } = gate();
    g.observe([put('Ingress', ingress('web', 'portico', { rules: [] }))]);
    expect(g.observe([put('Service', service('web'))]).rebuild).toBe(false);
  });

  it('skips an object handed over again with the same resourceVersion', () => {
    const { gate: g, objects } = gate();
    const same = objects.get('Ingress shop/web');
    expect(g.observe([{ kind: 'Ingress', key: 'shop/web', previous: same, current: same }])).toMatchObject({ rebuild: false, skipped: 1 });
  });

  it('rebuilds for the class parameters\' default certificate and status address Service', () => {
    const { gate: g, put } = gate();
    const parameters = { tls: { minimumVersion: '1.2', cipherSuites: [], defaultCertificate: { namespace: 'shop', name: 'default-cert' } }, statusAddress: { kind: 'service', namespace: 'shop', name: 'envoy' } };
    g.classesTranslated([{ ingressClass: 'portico', accepted: true, parameters } as never]);
    expect(g.observe([put('Secret', secret('default-cert'))]).rebuild).toBe(true);
    expect(g.observe([put('Service', service('envoy'))]).rebuild).toBe(true);
  });
});
