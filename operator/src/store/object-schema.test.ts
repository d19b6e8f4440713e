import { describe, expect, it } from 'vitest';
import { ClusterStateBuilder } from './cluster-state-builder.js';
import { schemaProblems } from './object-schema.js';

const ingress = (spec: unknown, annotations: unknown = {}): object => ({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'web', namespace: 'shop', annotations }, spec });

describe('schemaProblems', () => {
  it('accepts what the API server accepts, with nulls read as unset fields', () => {
    expect(schemaProblems('Ingress', ingress({ rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }] } }], tls: null }))).toEqual([]);
    expect(schemaProblems('Service', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 'http' }, { port: 81, targetPort: 8081 }] } })).toEqual([]);
  });

  it('names every field that does not fit, as a path, and never a value', () => {
    expect(schemaProblems('Ingress', ingress({ rules: [{ host: 42, http: { paths: [{ path: '/', pathType: 'prefix' }, null] } }] }, { 'nginx.ingress.kubernetes.io/use-regex': true }))).toEqual([
      'metadata.annotations["nginx.ingress.kubernetes.io/use-regex"]: must be string',
      'spec.rules[0].host: must be string',
      'spec.rules[0].http.paths[0].backend: is required',
      'spec.rules[0].http.paths[0].pathType: must be one of "Exact", "ImplementationSpecific", "Prefix"',
      'spec.rules[0].http.paths[1]: must be object',
    ]);
    expect(schemaProblems('Ingress', ingress({ rules: { host: 'a' } }))).toEqual(['spec.rules: must be array']);
    expect(schemaProblems('Ingress', ingress({ defaultBackend: { resource: { name: 'bucket' } } }))).toEqual(['spec.defaultBackend.resource.kind: is required']);
    const secret = schemaProblems('Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { 'tls.key': 1234567, 'tls.crt': ['-----BEGIN'] } });
    expect(secret).toEqual(['data["tls.key"]: must be string', 'data["tls.crt"]: must be string']);
    expect(secret.join()).not.toMatch(/1234567|BEGIN/);
  });

  it('stops after a few problems', () => {
    const rules = Array.from({ length: 20 }, () => ({ host: 1 }));
    const problems = schemaProblems('Ingress', ingress({ rules }));
    expect(problems).toHaveLength(6);
    expect(problems.at(-1)).toBe('and 15 more');
  });
});

describe('ClusterStateBuilder with the schema check', () => {
  it('leaves out an object that does not fit, naming where it came from, and keeps the rest', () => {
    const builder = new ClusterStateBuilder();
    expect(builder.add(ingress({ rules: [{ host: 42 }] }), 'web.yaml (document 2)')).toEqual([
      { object: 'web.yaml (document 2)', severity: 'error', message: 'Ingress shop/web does not fit the Ingress schema and is left out: spec.rules[0].host: must be string' },
    ]);
    expect(builder.add({ ...ingress({ rules: [{ host: 'a.example.com' }] }), metadata: { name: 'ok', namespace: 'shop' } }, 'ok.yaml')).toEqual([]);
    expect(builder.build().ingresses.map((i) => i.metadata?.name)).toEqual(['ok']);
  });
});

describe('ClusterStateBuilder names', () => {
  it('leaves out an object whose name or namespace the API server would refuse, with control characters escaped', () => {
    const builder = new ClusterStateBuilder();
    const named = (name: string, namespace = 'shop'): object => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports: [{ port: 80 }] } });
    expect(builder.add(named('web\u001b[2J'), 'a.yaml')[0]?.message).toBe('Service: metadata.name "web\\u001b[2J" is not a valid name (lowercase letters, digits, "-" and "."); it is left out');
    expect(builder.add(named('Web'), 'b.yaml')[0]?.message).toMatch(/^Service: metadata.name "Web" is not a valid name/);
    expect(builder.add(named('web', 'Shop_1'), 'c.yaml')[0]?.message).toMatch(/^Service: metadata.namespace "Shop_1" is not a valid namespace/);
    expect(builder.add(named('web'), 'd.yaml')).toEqual([]);
    expect(builder.build().services.map((s) => s.metadata?.name)).toEqual(['web']);
  });
});
