import { describe, expect, it } from 'vitest';
import { readNginxAnnotations, toRe2Substitution } from './nginx.js';

const withAnnotations = (annotations: Record<string, string>) => ({ metadata: { name: 'x', annotations } });

describe('readNginxAnnotations', () => {
  it('rewrite-target implies regex paths, as in ingress-nginx', () => {
    expect(readNginxAnnotations(withAnnotations({ 'nginx.ingress.kubernetes.io/rewrite-target': '/$1' })).options).toEqual({ regexPaths: true, rewriteTarget: '/$1' });
  });

  it('rejects an app-root that is not an absolute path, naming the value', () => {
    const { options, problems } = readNginxAnnotations(withAnnotations({ 'nginx.ingress.kubernetes.io/app-root': 'app' }));
    expect(options.appRoot).toBeUndefined();
    expect(problems).toEqual([{ annotation: 'nginx.ingress.kubernetes.io/app-root', severity: 'error', message: 'must be an absolute path such as "/app", not "app"; ignored' }]);
  });

  it('warns about every nginx annotation it does not honour', () => {
    const { problems } = readNginxAnnotations(withAnnotations({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'true', 'example.com/other': 'x' }));
    expect(problems.map((p) => [p.annotation, p.severity])).toEqual([['nginx.ingress.kubernetes.io/ssl-redirect', 'warning']]);
  });
});

describe('toRe2Substitution', () => {
  it.each([
    ['/$2', 2, '/\\2'],
    ['/api/${1}/x', 1, '/api/\\1/x'],
    ['/lit\\eral', 0, '/lit\\\\eral'],
    ['/', 0, '/'],
  ])('%s with %d groups → %s', (target, groups, substitution) => {
    expect(toRe2Substitution(target, groups)).toEqual({ substitution });
  });

  it('names a group the path does not have', () => {
    expect(toRe2Substitution('/$3', 2)).toEqual({ error: 'refers to capture group $3 but the path has only 2' });
    expect(toRe2Substitution('/$1', 0)).toEqual({ error: 'refers to capture group $1 but the path has no capture groups' });
  });
});
