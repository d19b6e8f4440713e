import { describe, expect, it } from 'vitest';
import { readerOf } from '../../test-support/annotation-reader.js';
import { parseAuthUrl, readExternalAuth } from './auth.js';
import { serviceOfHost } from '../auth-services.js';

const P = 'nginx.ingress.kubernetes.io/';
function read(annotations: Record<string, string>) {
  const reader = readerOf(annotations);
  return { auth: readExternalAuth(reader), problems: reader.problems };
}

describe('parseAuthUrl', () => {
  it.each([
    ['http://auth.ns.svc.cluster.local/verify', { scheme: 'http', host: 'auth.ns.svc.cluster.local', port: 80, path: '/verify' }],
    ['https://auth.ns:8443/a/b/', { scheme: 'https', host: 'auth.ns', port: 8443, path: '/a/b' }],
    ['http://Auth.NS', { scheme: 'http', host: 'auth.ns', port: 80, path: '' }],
    ['http://auth.ns/', { scheme: 'http', host: 'auth.ns', port: 80, path: '' }],
  ])('%s', (url, expected) => {
    expect(parseAuthUrl(url)).toEqual({ url, ...expected });
  });

  it.each([
    ['https://$host/oauth2/auth', 'nginx variable'],
    ['http://auth.ns/verify?$args', 'nginx variable'],
    ['http://auth.ns/verify;\nproxy_pass http://evil', 'whitespace'],
    ['http://auth.ns/a b', 'whitespace'],
    ['http://auth.ns/a\u0000', 'control'],
    ['ftp://auth.ns/', 'http or https'],
    ['/relative', 'http or https'],
    ['http://user:pw@auth.ns/', 'credentials'],
    ['http://auth.ns/#x', 'fragment'],
    ['http://auth.ns/verify?x=1', 'query'],
    ['http://10.0.0.1/verify', 'host'],
    ['http://auth.ns/{a}', 'characters'],
    ['http://auth.ns/%zz', 'characters'],
    ['http://auth.ns/"quoted"', 'characters'],
  ])('refuses %j (%s)', (url, why) => {
    const parsed = parseAuthUrl(url);
    expect('error' in parsed && parsed.error).toContain(why);
  });
});

describe('readExternalAuth', () => {
  it('reads the URL, the response headers (lowercase, sorted) and the redirect', () => {
    expect(read({ 'auth-url': 'http://auth.ns/verify', 'auth-response-headers': 'X-User, x-email,X-User', 'auth-request-redirect': 'https://a.example/' })).toEqual({
      auth: { url: { url: 'http://auth.ns/verify', scheme: 'http', host: 'auth.ns', port: 80, path: '/verify' }, responseHeaders: ['x-email', 'x-user'], requestRedirect: 'https://a.example/' },
      problems: [],
    });
  });

  it.each([
    [{ 'auth-url': 'https://$host/oauth2/auth' }, 'auth-url'],
    [{ 'auth-url': 'http://auth.ns/', 'auth-response-headers': 'X-User, bad header' }, 'auth-response-headers'],
    [{ 'auth-url': 'http://auth.ns/', 'auth-request-redirect': '$request_uri' }, 'auth-request-redirect'],
    [{ 'auth-url': 'http://auth.ns/', 'auth-method': 'GET' }, 'auth-method'],
    [{ 'auth-url': 'http://auth.ns/', 'auth-signin': 'https://login.example/' }, 'auth-signin'],
    [{ 'auth-url': 'http://auth.ns/', 'auth-cache-key': '$cookie_session' }, 'auth-cache-key'],
    [{ 'auth-url': 'http://auth.ns/', 'auth-proxy-set-headers': 'ns/cm' }, 'auth-proxy-set-headers'],
  ])('%j closes the Ingress, naming %s', (annotations, name) => {
    expect(read(annotations).problems).toContainEqual(expect.objectContaining({ annotation: P + name, severity: 'error', closes: true }));
  });

  it('companions without auth-url only warn', () => {
    const { auth, problems } = read({ 'auth-response-headers': 'X-User', 'auth-keepalive': '10' });
    expect(auth).toBeUndefined();
    expect(problems.every((p) => p.severity === 'warning')).toBe(true);
  });
});

describe('serviceOfHost', () => {
  it.each([
    ['auth.ns', { name: 'auth', namespace: 'ns' }],
    ['auth.ns.svc', { name: 'auth', namespace: 'ns' }],
    ['auth.ns.svc.cluster.local', { name: 'auth', namespace: 'ns' }],
    ['auth', undefined],
    ['auth.example.com', undefined],
    ['a.b.c.svc.cluster.local', undefined],
  ])('%s', (host, expected) => {
    expect(serviceOfHost(host)).toEqual(expected);
  });
});
