import { describe, expect, it } from 'vitest';
import { readNginxAnnotations, toRe2Substitution } from './nginx.js';

const withAnnotations = (annotations: Record<string, string>) => ({ metadata: { name: 'x', annotations } });

describe('readNginxAnnotations', () => {
  it('rewrite-target implies regex paths, as in ingress-nginx', () => {
    expect(readNginxAnnotations(withAnnotations({ 'nginx.ingress.kubernetes.io/rewrite-target': '/$1' })).options).toMatchObject({ regexPaths: true, rewriteTarget: '/$1', sslRedirect: true, forceSslRedirect: false });
  });

  it('rejects an app-root that is not an absolute path, naming the value', () => {
    const { options, problems } = readNginxAnnotations(withAnnotations({ 'nginx.ingress.kubernetes.io/app-root': 'app' }));
    expect(options.appRoot).toBeUndefined();
    expect(problems).toEqual([{ annotation: 'nginx.ingress.kubernetes.io/app-root', severity: 'error', message: 'must be an absolute path such as "/app", not "app"; ignored' }]);
  });

  it('warns about every nginx annotation it does not honour', () => {
    const { problems } = readNginxAnnotations(withAnnotations({ 'nginx.ingress.kubernetes.io/mirror-target': 'http://x', 'nginx.ingress.kubernetes.io/no-such-thing': 'x', 'nginx.ingress.kubernetes.io/proxy-buffering': 'off', 'example.com/other': 'x' }));
    expect(problems).toEqual([
      { annotation: 'nginx.ingress.kubernetes.io/mirror-target', severity: 'warning', message: 'is not supported by Portico and has no effect (request mirroring is not supported)' },
      { annotation: 'nginx.ingress.kubernetes.io/no-such-thing', severity: 'warning', message: 'is not an ingress-nginx annotation Portico knows; it has no effect' },
      { annotation: 'nginx.ingress.kubernetes.io/proxy-buffering', severity: 'warning', message: 'has no effect on Envoy: Envoy streams responses; there is no response buffering to turn on or off' },
    ]);
  });

  it('reads ssl-redirect and force-ssl-redirect, keeping the default for a value that is not a boolean', () => {
    const read = (annotations: Record<string, string>) => readNginxAnnotations(withAnnotations(annotations));
    expect(read({}).options).toMatchObject({ sslRedirect: true, forceSslRedirect: false });
    expect(read({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'false', 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' }).options).toMatchObject({ sslRedirect: false, forceSslRedirect: true });
    const bad = read({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'no' });
    expect(bad.options.sslRedirect).toBe(true);
    expect(bad.problems).toEqual([{ annotation: 'nginx.ingress.kubernetes.io/ssl-redirect', severity: 'error', message: 'must be "true" or "false", not "no"; the default (true) applies' }]);
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
