import { describe, expect, it } from 'vitest';
import { readerOf } from '../../test-support/annotation-reader.js';
import { RE2JS } from 're2js';
import { DEFAULT_CORS_HEADERS, DEFAULT_CORS_MAX_AGE_SECONDS, DEFAULT_CORS_METHODS, readCors, wildcardOriginRegex } from './cors.js';

const P = 'nginx.ingress.kubernetes.io/';
function read(annotations: Record<string, string>) {
  const reader = readerOf(annotations);
  return { cors: readCors(reader), problems: reader.problems, read: reader.read };
}

describe('readCors', () => {
  it('is off unless enable-cors is "true"; cors-* alone only warn', () => {
    expect(read({}).cors).toBeUndefined();
    const { cors, problems } = read({ 'enable-cors': 'false', 'cors-allow-origin': 'https://a.example.com' });
    expect(cors).toBeUndefined();
    expect(problems).toEqual([{ annotation: `${P}cors-allow-origin`, severity: 'warning', message: 'has no effect without nginx.ingress.kubernetes.io/enable-cors: "true"' }]);
    expect(read({ 'enable-cors': 'yes' }).cors).toBeUndefined();
  });

  it('takes ingress-nginx\'s defaults', () => {
    const { cors, problems } = read({ 'enable-cors': 'true' });
    expect(problems).toEqual([]);
    expect(cors).toEqual({ allowOrigins: ['*'], allowMethods: DEFAULT_CORS_METHODS, allowHeaders: DEFAULT_CORS_HEADERS, exposeHeaders: [], maxAgeSeconds: DEFAULT_CORS_MAX_AGE_SECONDS, allowCredentials: true });
    expect(DEFAULT_CORS_METHODS.join(', ')).toBe('GET, PUT, POST, DELETE, PATCH, OPTIONS');
    expect(DEFAULT_CORS_HEADERS.join(',')).toBe('DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization');
    expect(DEFAULT_CORS_MAX_AGE_SECONDS).toBe(1728000);
  });

  it('reads every setting', () => {
    const { cors, problems } = read({
      'enable-cors': 'true',
      'cors-allow-origin': 'https://app.example.com, http://localhost:3000,null, https://*.example.org',
      'cors-allow-methods': 'GET, POST',
      'cors-allow-headers': 'X-A, X-B_c',
      'cors-expose-headers': '*, X-Total',
      'cors-max-age': '600',
      'cors-allow-credentials': 'false',
    });
    expect(problems).toEqual([]);
    expect(cors).toEqual({
      allowOrigins: ['https://app.example.com', 'http://localhost:3000', 'null'],
      allowOriginRegexes: ['(?i)https://[A-Za-z0-9-]+\\.example\\.org'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['X-A', 'X-B_c'],
      exposeHeaders: ['*', 'X-Total'],
      maxAgeSeconds: 600,
      allowCredentials: false,
    });
  });

  it('any `*` item allows every origin, as ingress-nginx', () => {
    expect(read({ 'enable-cors': 'true', 'cors-allow-origin': 'https://a.example.com, *' }).cors?.allowOrigins).toEqual(['*']);
    expect(read({ 'enable-cors': 'true', 'cors-allow-origin': '  ' }).cors?.allowOrigins).toEqual(['*']);
  });

  it('skips an item that is not an origin (never widening to `*`), and turns CORS off when none is left', () => {
    const partly = read({ 'enable-cors': 'true', 'cors-allow-origin': 'https://a.example.com, a.example.com/x, https://a.*.example.com' });
    expect(partly.cors?.allowOrigins).toEqual(['https://a.example.com']);
    expect(partly.problems.map((p) => p.message)).toEqual([
      '"a.example.com/x" is not an origin such as "https://app.example.com", "https://*.example.com:8443", "null" or "*"; that item is skipped',
      '"https://a.*.example.com" is not an origin such as "https://app.example.com", "https://*.example.com:8443", "null" or "*"; that item is skipped',
    ]);
    const none = read({ 'enable-cors': 'true', 'cors-allow-origin': 'example.com' });
    expect(none.cors).toBeUndefined();
    expect(none.problems.map((p) => [p.severity, p.message.split(';')[0]])).toEqual([
      ['error', '"example.com" is not an origin such as "https://app.example.com", "https://*.example.com:8443", "null" or "*"'],
      ['error', 'allows no origin, so no request gets CORS headers (as ingress-nginx)'],
    ]);
    expect(none.problems.some((p) => p.closes)).toBe(false);
  });

  it('falls back to the default for values ingress-nginx refuses, naming them', () => {
    const { cors, problems } = read({ 'enable-cors': 'true', 'cors-allow-methods': 'GET;rm', 'cors-allow-headers': 'X-$pid', 'cors-expose-headers': 'X Y Z!', 'cors-max-age': 'a day', 'cors-allow-credentials': 'maybe' });
    expect(cors).toMatchObject({ allowMethods: DEFAULT_CORS_METHODS, allowHeaders: DEFAULT_CORS_HEADERS, exposeHeaders: [], maxAgeSeconds: DEFAULT_CORS_MAX_AGE_SECONDS, allowCredentials: true });
    expect(problems.map((p) => p.annotation.slice(P.length))).toEqual(['cors-allow-methods', 'cors-allow-headers', 'cors-expose-headers', 'cors-max-age', 'cors-allow-credentials']);
    expect(problems.every((p) => p.severity === 'error' && !p.closes)).toBe(true);
    expect(problems[0]?.message).toBe('must be HTTP methods separated by commas, not "GET;rm"; the default ("GET,PUT,POST,DELETE,PATCH,OPTIONS") applies');
  });

  it('marks every cors annotation read, so none is reported unknown', () => {
    const all = ['enable-cors', 'cors-allow-origin', 'cors-allow-methods', 'cors-allow-headers', 'cors-expose-headers', 'cors-allow-credentials', 'cors-max-age'];
    expect([...read(Object.fromEntries(all.map((n) => [n, 'x']))).read].sort()).toEqual(all.map((n) => P + n).sort());
  });
});

describe('wildcardOriginRegex', () => {
  const matches = (origin: string, candidate: string) => RE2JS.compile(wildcardOriginRegex(origin)).matches(candidate);
  it('allows exactly one label in place of `*`, any case, with the scheme and port as written', () => {
    expect(matches('https://*.example.com', 'https://app.example.com')).toBe(true);
    expect(matches('https://*.example.com', 'HTTPS://App.Example.COM')).toBe(true);
    expect(matches('https://*.example.com', 'https://a.b.example.com')).toBe(false);
    expect(matches('https://*.example.com', 'https://example.com')).toBe(false);
    expect(matches('https://*.example.com', 'http://app.example.com')).toBe(false);
    expect(matches('https://*.example.com', 'https://app.example.com.evil.net')).toBe(false);
    expect(matches('https://*.example.com', 'https://appxexample.com')).toBe(false);
    expect(matches('https://*.example.com:8443', 'https://app.example.com:8443')).toBe(true);
    expect(matches('https://*.example.com:8443', 'https://app.example.com')).toBe(false);
  });
});
