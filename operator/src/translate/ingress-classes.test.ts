import { describe, expect, it } from 'vitest';
import { stateFromYaml } from '../test-support/translate-yaml.js';
import { isControllerName, selectIngressClasses } from './ingress-classes.js';
import type { ClassOwnership } from './ingress-classes.js';

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
  return classesFor(undefined, ...docs);
}

function classesFor(ownership: ClassOwnership | undefined, ...docs: string[]): Record<string, string[]> {
  const { ingressesByClass } = selectIngressClasses(stateFromYaml(docs.join('\n---\n')), ownership);
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

  it('serves only the classes of its own controller name, and of those only the listed ones when given', () => {
    const docs = [
      ingressClass('a', OURS),
      ingressClass('b', 'portico.dev/portico-two/portico2'),
      ingressClass('c', 'portico.dev/portico-two/portico2'),
      ingress('in-a', { className: 'a' }),
      ingress('in-b', { className: 'b' }),
      ingress('in-c', { legacy: 'c' }),
    ];
    expect(classesFor(undefined, ...docs)).toEqual({ a: ['in-a'] });
    expect(classesFor({ controllerName: 'portico.dev/portico-two/portico2' }, ...docs)).toEqual({ b: ['in-b'], c: ['in-c'] });
    expect(classesFor({ controllerName: 'portico.dev/portico-two/portico2', classes: ['c'] }, ...docs)).toEqual({ c: ['in-c'] });
    // A listed class of another controller is still not ours.
    expect(classesFor({ controllerName: 'portico.dev/portico-two/portico2', classes: ['a'] }, ...docs)).toEqual({});
  });

  it('knows a controller name the API server accepts', () => {
    expect(isControllerName('portico.dev/ingress-controller')).toBe(true);
    expect(isControllerName('portico.dev/portico-two/portico2')).toBe(true);
    expect(isControllerName('portico')).toBe(false);
    expect(isControllerName('Portico.dev/x')).toBe(false);
    expect(isControllerName('portico.dev/')).toBe(false);
  });
});
