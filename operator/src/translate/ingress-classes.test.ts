import { describe, expect, it } from 'vitest';
import { stateFromYaml } from '../test-support/translate-yaml.js';
import { selectIngressClasses } from './ingress-classes.js';

function ingressClass(name: string, controller: string, options: { isDefault?: boolean; created?: string } = {}): string {
  const annotations = options.isDefault ? `, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}` : '';
  const created = options.created ? `, creationTimestamp: "${options.created}"` : '';
  return `apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: ${name}${annotations}${created}}\nspec: {controller: ${controller}}`;
}

function ingress(name: string, options: { className?: string; legacy?: string } = {}): string {
  const spec = options.className ? `ingressClassName: ${options.className}, ` : '';
  const annotations = options.legacy ? `, annotations: {kubernetes.io/ingress.class: ${options.legacy}}` : '';
  return `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: ${name}, namespace: default${annotations}}\nspec: {${spec}defaultBackend: {service: {name: s, port: {number: 80}}}}`;
}

const OURS = 'portico.dev/ingress-controller';

function classesOf(...docs: string[]): Record<string, string[]> {
  const { ingressesByClass } = selectIngressClasses(stateFromYaml(docs.join('\n---\n')));
  return Object.fromEntries([...ingressesByClass].map(([c, list]) => [c, list.map((i) => i.metadata?.name ?? '')]));
}

describe('selectIngressClasses', () => {
  it('takes spec.ingressClassName, then the legacy annotation, and ignores other controllers', () => {
    expect(
      classesOf(
        ingressClass('a', OURS),
        ingressClass('b', OURS),
        ingressClass('theirs', 'k8s.io/ingress-nginx'),
        ingress('by-field', { className: 'a' }),
        ingress('by-annotation', { legacy: 'b' }),
        ingress('other-controller', { className: 'theirs' }),
        ingress('unknown-class', { className: 'nope' }),
        ingress('no-class'),
      ),
    ).toEqual({ a: ['by-field'], b: ['by-annotation'] });
  });

  it('gives class-less Ingresses to the newest default class', () => {
    expect(
      classesOf(
        ingressClass('old-default', OURS, { isDefault: true, created: '2024-01-01T00:00:00Z' }),
        ingressClass('new-default', OURS, { isDefault: true, created: '2025-01-01T00:00:00Z' }),
        ingress('no-class'),
      ),
    ).toEqual({ 'old-default': [], 'new-default': ['no-class'] });
  });

  it('leaves class-less Ingresses alone when the newest default class is another controller\'s', () => {
    expect(
      classesOf(
        ingressClass('ours', OURS, { isDefault: true, created: '2024-01-01T00:00:00Z' }),
        ingressClass('theirs', 'example.com/other', { isDefault: true, created: '2025-01-01T00:00:00Z' }),
        ingress('no-class'),
      ),
    ).toEqual({ ours: [] });
  });

  it('prefers the field over the legacy annotation', () => {
    expect(classesOf(ingressClass('a', OURS), ingressClass('b', OURS), ingress('both', { className: 'a', legacy: 'b' }))).toEqual({ a: ['both'], b: [] });
  });
});
