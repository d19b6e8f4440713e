import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildEnvoyConfig } from '../pipeline.js';
import { fixtures, ingressYaml, stateFromYaml } from '../test-support/translate-yaml.js';
import { review } from './admission-review.js';
import { judgeIngress } from './judge-ingress.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const REGEX = { 'nginx.ingress.kubernetes.io/use-regex': 'true' };
const cluster = stateFromYaml(fixtures({ services: ['web'] }));

function ingress(options: { name?: string; path?: string; annotations?: Record<string, string>; service?: string; className?: string; host?: string }): Record<string, unknown> {
  const text = ingressYaml({
    name: options.name ?? 'web',
    host: options.host ?? 'a.example.com',
    paths: [{ path: options.path ?? '/', pathType: 'ImplementationSpecific', service: options.service ?? 'web' }],
    ...(options.annotations ? { annotations: options.annotations } : {}),
  });
  const object = parse(text) as { spec: { ingressClassName: string } } & Record<string, unknown>;
  if (options.className) object.spec.ingressClassName = options.className;
  return object;
}

describe('judgeIngress', () => {
  it('refuses an invalid regex path with the message its Event would carry', () => {
    const object = ingress({ path: '/(a|b', annotations: REGEX });
    const verdict = judgeIngress({ state: cluster, object, now: NOW });
    // What the operator reports after the fact for the same Ingress.
    const event = buildEnvoyConfig(stateFromYaml(fixtures({ services: ['web'] }), JSON.stringify(object)), NOW).diagnostics.find((d) => d.object === 'Ingress default/web' && d.severity === 'error');
    expect(event?.message).toMatch(/^spec\.rules\[0\]\.http\.paths\[0\]\.path: /);
    expect(verdict).toMatchObject({ allowed: false, ingressClass: 'portico' });
    expect(verdict.message).toBe(`Ingress default/web: ${event?.message}`);
  });

  it('allows a valid Ingress, and one of another class even with the same invalid regex (saying nothing)', () => {
    expect(judgeIngress({ state: cluster, object: ingress({ path: '/(a|b)', annotations: REGEX }), now: NOW })).toEqual({ allowed: true, warnings: [], ingressClass: 'portico' });
    expect(judgeIngress({ state: cluster, object: ingress({ path: '/(a|b', annotations: REGEX, className: 'nginx' }), now: NOW })).toEqual({ allowed: true, warnings: [] });
  });

  it('only warns about a Service that does not exist yet (an Ingress may be applied before it)', () => {
    const verdict = judgeIngress({ state: cluster, object: ingress({ service: 'later' }), now: NOW });
    expect(verdict.allowed).toBe(true);
    expect(verdict.warnings).toEqual([expect.stringMatching(/backend\.service\.name: Service default\/later not found/)]);
  });

  it('only warns about a default backend whose Service does not exist yet', () => {
    const object = parse(ingressYaml({ name: 'web', host: 'a.example.com', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] })) as { spec: Record<string, unknown> };
    object.spec['defaultBackend'] = { service: { name: 'later', port: { number: 80 } } };
    const verdict = judgeIngress({ state: cluster, object, now: NOW });
    expect(verdict.allowed).toBe(true);
    expect(verdict.warnings).toContainEqual(expect.stringMatching(/^spec\.defaultBackend\.service\.name: Service default\/later not found/));
  });

  it('refuses a path another, older Ingress already routes', () => {
    const older = ingressYaml({ name: 'first', host: 'a.example.com', created: '2025-01-01T00:00:00Z', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] });
    const state = stateFromYaml(fixtures({ services: ['web'] }), older);
    const object = parse(ingressYaml({ name: 'second', host: 'a.example.com', created: '2025-06-01T00:00:00Z', paths: [{ path: '/', pathType: 'Prefix', service: 'web' }] })) as unknown;
    const verdict = judgeIngress({ state, object, now: NOW });
    expect(verdict.allowed).toBe(false);
    expect(verdict.message).toMatch(/^Ingress default\/second: .*already routed by Ingress default\/first/);
  });

  it('judges an UPDATE by what it changes: errors the stored Ingress already had only warn', () => {
    const broken = ingress({ path: '/(a|b', annotations: REGEX });
    const state = stateFromYaml(fixtures({ services: ['web'] }), JSON.stringify(broken));
    // A label (or status, or finalizer) change is answered at once: nothing translation reads changed.
    const relabelled = structuredClone(broken) as { metadata: Record<string, unknown> };
    relabelled.metadata['labels'] = { team: 'a' };
    expect(judgeIngress({ state, object: relabelled, oldObject: broken, now: NOW })).toEqual({ allowed: true, warnings: [] });
    // Another change that keeps the old error: allowed, the error only warned about.
    const retargeted = structuredClone(broken) as { metadata: { annotations: Record<string, string> } };
    retargeted.metadata.annotations['example.com/owner'] = 'team-a';
    const verdict = judgeIngress({ state, object: retargeted, oldObject: broken, now: NOW });
    expect(verdict.allowed).toBe(true);
    expect(verdict.warnings[0]).toMatch(/already so before this change/);
    // Breaking a good one is refused.
    expect(judgeIngress({ state: cluster, object: broken, oldObject: ingress({ path: '/(a|b)', annotations: REGEX }), now: NOW }).allowed).toBe(false);
  });

  it('never stands in the way of an Ingress being deleted', () => {
    const object = ingress({ path: '/(a|b', annotations: REGEX }) as { metadata: Record<string, unknown> };
    object.metadata['deletionTimestamp'] = '2026-01-01T00:00:00Z';
    expect(judgeIngress({ state: cluster, object, now: NOW }).allowed).toBe(true);
  });
});

describe('review (AdmissionReview v1)', () => {
  const request = (object: unknown, extra: Record<string, unknown> = {}): Parameters<typeof review>[0] => ({
    uid: 'u-1',
    kind: { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' },
    operation: 'CREATE',
    namespace: 'default',
    name: 'web',
    object,
    ...extra,
  });

  it('answers allowed: false with the reason as status.message, warnings as warnings', () => {
    const answer = review(request(ingress({ path: '/(a|b', annotations: REGEX })), { state: cluster, now: NOW }).review;
    expect(answer).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: 'u-1', allowed: false, status: { code: 400 } } });
    expect(answer.response.status?.message).toMatch(/^Ingress default\/web: spec\.rules\[0\]\.http\.paths\[0\]\.path: /);
  });

  it('allows what it does not judge: other kinds, DELETE, and anything before the first complete list', () => {
    const bad = ingress({ path: '/(a|b', annotations: REGEX });
    expect(review(request(bad, { operation: 'DELETE' }), { state: cluster, now: NOW }).review.response).toEqual({ uid: 'u-1', allowed: true });
    expect(review(request(bad, { kind: { group: '', version: 'v1', kind: 'Service' } }), { state: cluster, now: NOW }).review.response).toEqual({ uid: 'u-1', allowed: true });
    expect(review(request(bad), { state: undefined, now: NOW }).review.response).toEqual({ uid: 'u-1', allowed: true });
  });
});
