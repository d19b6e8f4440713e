import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './durations.js';
import { parseByteSize } from './quantities.js';
import { readParametersSpec } from './read-parameters-spec.js';

function problemsOf(spec: unknown): string[] {
  const read = readParametersSpec(spec);
  return 'problems' in read ? read.problems : [];
}

const DEFAULT_ROUTE_DEFAULTS = {
  backendIdleTimeoutMs: 60_000,
  retry: { on: ['connect-failure', 'refused-stream', 'reset-before-request'], tries: 3, idempotentOnly: false },
  redirectCode: 308,
};

function routeDefaultsOf(spec: unknown): unknown {
  const read = readParametersSpec(spec);
  return 'parameters' in read ? read.parameters.routeDefaults : read.problems;
}

describe('readParametersSpec', () => {
  it('gives the defaults for an empty spec (and for none)', () => {
    const expected = {
      httpListener: { address: '0.0.0.0', port: 8080 },
      httpsListener: { address: '0.0.0.0', port: 8443 },
      timeouts: { connectMs: 5_000, requestMs: 300_000, requestHeadersMs: 10_000, idleMs: 3_600_000, streamIdleMs: 300_000 },
      maxRequestHeadersKiB: 60,
      maxRequestBodyBytes: 0,
      useRemoteAddress: true,
      xffNumTrustedHops: 0,
      nginxAnnotations: true,
      unhonouredAccessControl: 'Refuse',
      tls: { minimumVersion: '1.2', hsts: { enabled: true, maxAgeSeconds: 31_536_000, includeSubDomains: true, preload: false } },
      envoy: { virtualHostDiscovery: false },
      routeDefaults: DEFAULT_ROUTE_DEFAULTS,
    };
    expect(readParametersSpec({})).toEqual({ parameters: expected });
    expect(readParametersSpec(undefined)).toEqual({ parameters: expected });
  });

  it('reads every field', () => {
    const read = readParametersSpec({
      fleet: 'edge',
      listeners: { http: { address: '::', port: 80 }, https: { port: 443 } },
      statusAddress: { addresses: ['192.0.2.1', 'lb.example.com'] },
      timeouts: { connect: '250ms', request: '0s', requestHeaders: '1m30s', idle: '2h', streamIdle: '5m', backendIdle: '0s' },
      requestLimits: { maxRequestHeadersKiB: 96, maxBodySize: '8Mi' },
      clientIP: { useRemoteAddress: false, xffNumTrustedHops: 2 },
      accessLog: { enabled: true, format: 'JSON' },
      annotationFamilies: { nginx: false, unhonouredAccessControl: 'Warn' },
      tls: {
        minimumVersion: '1.3',
        defaultCertificate: { namespace: 'certs', name: 'wildcard.example.com' },
        cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
        hsts: { enabled: false, maxAgeSeconds: 600, includeSubDomains: false, preload: true },
      },
      envoy: { version: '1.40', virtualHostDiscovery: true },
      retries: { on: ['reset', 'connect-failure'], tries: 5, nonIdempotent: true },
      redirects: { statusCode: 301 },
    });
    expect(read).toEqual({
      parameters: {
        fleet: 'edge',
        httpListener: { address: '::', port: 80 },
        httpsListener: { address: '0.0.0.0', port: 443 },
        statusAddress: { kind: 'fixed', addresses: ['192.0.2.1', 'lb.example.com'] },
        timeouts: { connectMs: 250, requestMs: 0, requestHeadersMs: 90_000, idleMs: 7_200_000, streamIdleMs: 300_000 },
        maxRequestHeadersKiB: 96,
        maxRequestBodyBytes: 8 * 1024 * 1024,
        useRemoteAddress: false,
        xffNumTrustedHops: 2,
        accessLog: { format: 'JSON' },
        nginxAnnotations: false,
        unhonouredAccessControl: 'Warn',
        tls: {
          minimumVersion: '1.3',
          defaultCertificate: { namespace: 'certs', name: 'wildcard.example.com' },
          cipherSuites: ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256'],
          hsts: { enabled: false, maxAgeSeconds: 600, includeSubDomains: false, preload: true },
        },
        envoy: { version: '1.40', virtualHostDiscovery: true },
        routeDefaults: { backendIdleTimeoutMs: 0, retry: { on: ['reset', 'connect-failure'], tries: 5, idempotentOnly: false }, redirectCode: 301 },
      },
    });
    expect(readParametersSpec({ statusAddress: { service: { namespace: 'portico-system', name: 'envoy' } } })).toMatchObject({
      parameters: { statusAddress: { kind: 'service', namespace: 'portico-system', name: 'envoy' } },
    });
  });

  it('reports every problem with the field it is about, as the CRD rules do', () => {
    expect(
      problemsOf({
        fleet: 'Edge!',
        listeners: { http: { port: 8443, address: 'any' } },
        statusAddress: { service: { namespace: 'a', name: 'b' }, addresses: ['192.0.2.1'] },
        timeouts: { connect: '0s', idle: '1 hour' },
        requestLimits: { maxRequestHeadersKiB: 9000, maxBodySize: '1m' },
        clientIP: { xffNumTrustedHops: -1 },
        accessLog: { format: 'xml' },
        tls: { defaultCertificate: { name: 'x' } },
        timeout: {},
      }),
    ).toEqual([
      'spec.timeout: unknown field (known: fleet, listeners, statusAddress, timeouts, requestLimits, clientIP, accessLog, annotationFamilies, tls, envoy, retries, redirects)',
      'spec.fleet: must be a lowercase name of letters, digits, "-" and "." (at most 253; it names the fleet in its client certificate and Secret), not "Edge!"',
      'spec.listeners.http.address: must be an IP address, not "any"',
      'spec.listeners: https.port must differ from http.port (both are 8443)',
      'spec.statusAddress: set exactly one of service or addresses',
      'spec.timeouts.idle: must be a duration such as 5s, 1m30s or 250ms, not "1 hour"',
      'spec.timeouts.connect: must be greater than 0s',
      'spec.requestLimits.maxRequestHeadersKiB: must be between 1 and 8192, not 9000',
      'spec.requestLimits.maxBodySize: must be a size such as 0 (no limit), 512Ki, 8Mi or 10M, not "1m"',
      'spec.accessLog.format: must be one of "Text", "JSON", not "xml"',
      'spec.tls.defaultCertificate.namespace: is required',
      'spec.clientIP.xffNumTrustedHops: must be between 0 and 16, not -1',
    ]);
    expect(problemsOf('not an object')).toEqual(['spec: must be an object']);
    expect(problemsOf({ requestLimits: { maxBodySize: '4Gi' } })).toEqual(['spec.requestLimits.maxBodySize: must be less than 4Gi, not 4Gi']);
    expect(problemsOf({ statusAddress: { addresses: ['Not A Host'] } })).toEqual(['spec.statusAddress.addresses[0]: must be an IP address or a lowercase DNS name, not "Not A Host"']);
    expect(problemsOf({ envoy: { version: 'v1.40.0', virtualHostDiscovery: 'yes' } })).toEqual([
      'spec.envoy.version: must be an Envoy minor release such as "1.37", not "v1.40.0"',
      'spec.envoy.virtualHostDiscovery: must be true or false, not "yes"',
    ]);
  });

  it('reads the route defaults: backend idle timeout, retries and the redirect code', () => {
    expect(routeDefaultsOf({})).toEqual(DEFAULT_ROUTE_DEFAULTS);
    expect(routeDefaultsOf({ timeouts: { backendIdle: '2m30s' } })).toMatchObject({ backendIdleTimeoutMs: 150_000 });
    // Conditions that may replay a received request retry only idempotent methods, unless the class allows it.
    expect(routeDefaultsOf({ retries: { on: ['connect-failure', 'gateway-error'] } })).toMatchObject({ retry: { on: ['connect-failure', 'gateway-error'], tries: 3, idempotentOnly: true } });
    expect(routeDefaultsOf({ retries: { on: ['5xx'], nonIdempotent: true } })).toMatchObject({ retry: { on: ['5xx'], idempotentOnly: false } });
    expect(routeDefaultsOf({ retries: { on: ['refused-stream'], nonIdempotent: false } })).toMatchObject({ retry: { on: ['refused-stream'], idempotentOnly: false } });
    // An explicit empty list is no retries, not the default conditions.
    expect(routeDefaultsOf({ retries: { on: [] } })).toMatchObject({ retry: { on: [], tries: 3 } });
    expect(routeDefaultsOf({ retries: { tries: 1 } })).toMatchObject({ retry: { tries: 1 } });
    for (const statusCode of [301, 302, 307, 308]) expect(routeDefaultsOf({ redirects: { statusCode } })).toMatchObject({ redirectCode: statusCode });
  });

  it('reports bad route defaults naming the field', () => {
    expect(
      problemsOf({
        timeouts: { backendIdle: '60' },
        retries: { on: ['retriable-4xx', 'reset', 'reset'], tries: 0, nonIdempotent: 'no', when: 'always' },
        redirects: { statusCode: 303 },
      }),
    ).toEqual([
      'spec.timeouts.backendIdle: must be a duration such as 5s, 1m30s or 250ms, not "60"',
      'spec.retries.when: unknown field (known: on, tries, nonIdempotent)',
      'spec.retries.on[0]: must be one of "connect-failure", "refused-stream", "reset-before-request", "reset", "gateway-error", "5xx", not "retriable-4xx"',
      'spec.retries.on: must not list a condition twice: "reset"',
      'spec.retries.tries: must be between 1 and 10, not 0',
      'spec.retries.nonIdempotent: must be true or false, not "no"',
      'spec.redirects.statusCode: must be one of 301, 302, 307, 308, not 303',
    ]);
    expect(problemsOf({ retries: { on: 'reset', tries: 11 } })).toEqual(['spec.retries.on: must be a list', 'spec.retries.tries: must be between 1 and 10, not 11']);
    expect(problemsOf({ redirects: { statusCode: '308' } })).toEqual(['spec.redirects.statusCode: must be an integer, not "308"']);
    expect(problemsOf({ redirects: { statusCode: 200 } })).toEqual(['spec.redirects.statusCode: must be one of 301, 302, 307, 308, not 200']);
  });
});

describe('durations and sizes', () => {
  it('parse the Gateway API duration form only', () => {
    expect(parseDurationMs('1h2m3s4ms')).toBe(3_723_004);
    expect(parseDurationMs('0s')).toBe(0);
    expect(parseDurationMs('1.5s')).toBeUndefined();
    expect(parseDurationMs('5')).toBeUndefined();
    expect(parseDurationMs('-1s')).toBeUndefined();
  });

  it('parse byte sizes with decimal and binary suffixes, never milli', () => {
    expect(parseByteSize('0')).toBe(0);
    expect(parseByteSize('10M')).toBe(10_000_000);
    expect(parseByteSize('512Ki')).toBe(524_288);
    expect(parseByteSize('1m')).toBeUndefined();
    expect(parseByteSize('01')).toBeUndefined();
  });
});
