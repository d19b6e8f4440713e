// What users observe of ssl-redirect, force-ssl-redirect, the ACME path and HSTS: requests routed
// through the plain-HTTP and HTTPS route tables of the https-redirects golden case, then hosts
// that asked for TLS and have no usable certificate (they fail closed, never over plaintext).
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueServerCertificate } from '../../../xds-server/src/tls/certificates.js';
import type { KeyPair } from '../../../xds-server/src/tls/certificates.js';
import type { FleetResources, RouteConfiguration } from '../../../xds-server/src/resources.js';
import type { EnvoyConfig } from '../pipeline.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { loadManifests } from '../sources/manifests/load-manifests.js';
import { simulateRequest } from '../test-support/route-simulator.js';
import { fleetOf, stateFromYaml } from '../test-support/translate-yaml.js';

const CASE = join(import.meta.dirname, '..', '..', '..', 'testdata', 'golden', 'https-redirects');
const NOW = Date.parse('2026-11-29T00:00:00Z');

describe('HTTPS redirects and HSTS (testdata/golden/https-redirects)', () => {
  const fleet = fleetOf(buildEnvoyConfig(loadManifests([CASE]).state, NOW), 'nginx');
  const table = (name: string): RouteConfiguration => {
    const found = fleet.resources.routeConfigurations.find((rc) => rc.name === name);
    if (!found) throw new Error(`no route table ${name}`);
    return found;
  };
  const http = table('http');
  const https = table('https');

  it.each([
    ['blog.example.com', '/', 'https://blog.example.com/'],
    ['blog.example.com', '/post?id=7', 'https://blog.example.com/post?id=7'],
    ['lb.example.com', '/', 'https://lb.example.com/'],
    // Its Secret is missing and the class has no default certificate: HTTPS fails, plain HTTP still redirects to it.
    ['nocert.example.com', '/', 'https://nocert.example.com/'],
  ])('plain HTTP %s%s → 308 %s', (host, path, location) => {
    expect(simulateRequest(http, host, path)).toMatchObject({ status: 'redirect', code: 308, location });
  });

  it.each([
    ['blog.example.com', '/feed.xml', 'web/web/80', 'ssl-redirect "false" on its Ingress'],
    ['blog.example.com', '/.well-known/acme-challenge/Yq1zO2nV8c', 'web/cm-acme-http-solver-x7k2p/8089', 'the ACME HTTP-01 path'],
  ])('plain HTTP %s%s is served (%s)', (host, path, cluster) => {
    expect(simulateRequest(http, host, path)).toMatchObject({ status: 'routed', cluster });
  });

  it('serves plain HTTP that a trusted proxy received over HTTPS (X-Forwarded-Proto), instead of redirecting for ever', () => {
    expect(simulateRequest(http, 'blog.example.com', '/', { 'x-forwarded-proto': 'https' })).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
    expect(simulateRequest(http, 'lb.example.com', '/', { 'x-forwarded-proto': 'https' })).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
  });

  it('routes the same requests over HTTPS without any redirect', () => {
    for (const [host, path] of [['blog.example.com', '/'], ['blog.example.com', '/feed.xml'], ['lb.example.com', '/'], ['nocert.example.com', '/']] as const) {
      expect(simulateRequest(https, host, path, { 'x-forwarded-proto': 'https' }).status, `${host}${path}`).toBe('routed');
    }
  });

  it('adds HSTS (the class defaults) on HTTPS to hosts with a certificate of their own, never over plain HTTP', () => {
    const hsts = (rc: RouteConfiguration, host: string): unknown => rc.virtual_hosts?.find((v) => v.name === host)?.response_headers_to_add;
    expect(hsts(https, 'blog.example.com')).toEqual([{ header: { key: 'strict-transport-security', value: 'max-age=31536000; includeSubDomains' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    expect(hsts(https, 'lb.example.com')).toBeUndefined();
    expect(hsts(http, 'blog.example.com')).toBeUndefined();
  });
});

describe('a host that asked for TLS and has no usable certificate', () => {
  const DAY = 86_400_000;
  const HOST = 'broken.example.com';
  const ACME = '/.well-known/acme-challenge/Yq1zO2nV8c';
  let ca: KeyPair;
  const pairs: Record<'good' | 'other' | 'expired' | 'otherName' | 'fallback' | 'future' | 'wildExpired', KeyPair> = {} as never;

  beforeAll(async () => {
    ca = await createCa('https-behaviour test CA', 3650 * DAY, NOW - 400 * DAY);
    const issue = (dnsNames: string[], lifetimeMs = 90 * DAY, now = NOW - DAY): Promise<KeyPair> => issueServerCertificate(ca, { dnsNames, lifetimeMs, now });
    [pairs.good, pairs.other, pairs.expired, pairs.otherName, pairs.fallback, pairs.future, pairs.wildExpired] = await Promise.all([
      issue([HOST]),
      issue([HOST]),
      issue([HOST], 30 * DAY, NOW - 60 * DAY),
      issue(['elsewhere.example.com']),
      issue(['ingress.example.com']),
      issue([HOST], 90 * DAY, NOW + 2 * DAY),
      issue(['*.example.com'], 30 * DAY, NOW - 60 * DAY),
    ]);
  });

  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  const secret = (name: string, crt: string, key: string, namespace = 'web'): string => `apiVersion: v1
kind: Secret
metadata: {namespace: ${namespace}, name: ${name}}
type: kubernetes.io/tls
data: {tls.crt: ${b64(crt)}, tls.key: ${b64(key)}}
`;
  /** The Secret `site-tls` each case names (none: missing). */
  const SECRETS: Record<string, () => string | undefined> = {
    missing: () => undefined,
    'bad PEM': () => secret('site-tls', 'not a certificate', pairs.good.key),
    'key mismatch': () => secret('site-tls', pairs.good.cert + ca.cert, pairs.other.key),
    expired: () => secret('site-tls', pairs.expired.cert + ca.cert, pairs.expired.key),
    'name mismatch': () => secret('site-tls', pairs.otherName.cert + ca.cert, pairs.otherName.key),
  };
  const PROBLEMS: Record<string, RegExp> = {
    missing: /Secret web\/site-tls was not found/,
    'bad PEM': /Secret web\/site-tls has no PEM certificate in tls.crt/,
    'key mismatch': /Secret web\/site-tls has a tls.key that does not match the certificate/,
    expired: /Secret web\/site-tls has expired: the certificate in tls.crt ended at/,
    'name mismatch': /the certificate of Secret web\/site-tls does not name host broken.example.com/,
  };

  const manifests = (options: { secret?: string; secrets?: string[]; annotations?: Record<string, string>; defaultCertificate?: boolean; nginx?: boolean; tls?: string; moreHosts?: string[] }): string[] => {
    const parameters = options.defaultCertificate || options.nginx === false;
    const spec = [...(options.defaultCertificate ? ['tls: {defaultCertificate: {namespace: platform, name: fallback}}'] : []), ...(options.nginx === false ? ['annotationFamilies: {nginx: false}'] : [])];
    return [
      `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec:
  controller: portico.dev/ingress-controller
${parameters ? '  parameters: {apiGroup: portico.dev, kind: IngressClassParameters, scope: Namespace, namespace: platform, name: edge}\n' : ''}`,
      ...(parameters ? [`apiVersion: portico.dev/v1alpha1\nkind: IngressClassParameters\nmetadata: {name: edge, namespace: platform}\nspec:\n  ${spec.join('\n  ')}\n`] : []),
      ...(options.defaultCertificate ? [secret('fallback', pairs.fallback.cert + ca.cert, pairs.fallback.key, 'platform')] : []),
      ...(options.secret ? [options.secret] : []),
      ...(options.secrets ?? []),
      `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: web}\nspec: {ports: [{name: http, port: 80}]}\n`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: solver, namespace: web}\nspec: {ports: [{name: http, port: 8089}]}\n`,
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: site, namespace: web, creationTimestamp: "2026-01-01T00:00:00Z", annotations: ${JSON.stringify(options.annotations ?? {})}}
spec:
  ingressClassName: nginx
  tls: [${options.tls ?? `{hosts: [${HOST}], secretName: site-tls}`}]
  rules:
${[HOST, ...(options.moreHosts ?? [])].map((host) => `    - host: ${host}\n      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}\n`).join('')}`,
      // cert-manager's HTTP-01 solver, while it issues the certificate.
      `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: cm-acme-http-solver-abcde, namespace: web, creationTimestamp: "2026-01-02T00:00:00Z", annotations: {kubernetes.io/ingress.class: nginx}}
spec:
  rules:
    - host: ${HOST}
      http: {paths: [{path: ${ACME}, pathType: Exact, backend: {service: {name: solver, port: {number: 8089}}}}]}
`,
    ];
  };
  const translate = (...texts: string[]): EnvoyConfig => buildEnvoyConfig(stateFromYaml(...texts), NOW);
  const routeTable = (resources: FleetResources, name: string): RouteConfiguration | undefined => resources.routeConfigurations.find((rc) => rc.name === name);
  const warningsOn = (config: EnvoyConfig, ingress: string): string[] => config.diagnostics.filter((d) => d.object === `Ingress web/${ingress}`).map((d) => d.message);
  /** SNI names that some filter chain serves, and whether unknown names get a default chain. */
  const httpsOf = (resources: FleetResources): { serverNames: string[]; defaultChain: boolean } | undefined => {
    const listener = resources.listeners.find((l) => l.name === 'https');
    if (!listener) return undefined;
    return { serverNames: (listener.filter_chains ?? []).flatMap((c) => c.filter_chain_match?.server_names ?? []), defaultChain: listener.default_filter_chain !== undefined };
  };
  /** HOST's plain HTTP redirects to HTTPS (the ACME path excepted), and HTTPS has no certificate for it: closed. */
  const expectClosed = (resources: FleetResources): void => {
    const http = routeTable(resources, 'http') as RouteConfiguration;
    expect(simulateRequest(http, HOST, '/login?next=/')).toMatchObject({ status: 'redirect', code: 308, location: `https://${HOST}/login?next=/` });
    expect(simulateRequest(http, HOST, ACME)).toMatchObject({ status: 'routed', cluster: 'web/solver/8089' });
    // No listener at all (no usable certificate in the class), or none for this name.
    const https = httpsOf(resources);
    if (https) expect(https.serverNames).not.toContain(HOST);
    if (https) expect(https.defaultChain).toBe(false);
    expect(resources.secrets).toEqual([]);
    // No certificate of its own: no HSTS.
    for (const table of resources.routeConfigurations) expect(table.virtual_hosts?.find((v) => v.name === HOST)?.response_headers_to_add).toBeUndefined();
  };

  describe.each(Object.keys(SECRETS))('%s Secret, no default certificate', (kind) => {
    const config = (annotations?: Record<string, string>): EnvoyConfig => translate(...manifests({ secret: SECRETS[kind]?.(), ...(annotations ? { annotations } : {}) }));

    it('keeps plain HTTP redirected to HTTPS, except the ACME path, and serves no certificate for the host', () => {
      expectClosed(fleetOf(config(), 'nginx').resources);
    });

    it('says so on the Ingress, naming the field and how to serve plain HTTP meanwhile, and quotes no Secret data', () => {
      const [message, ...others] = warningsOn(config(), 'site');
      expect(others).toEqual([]);
      expect(message).toMatch(PROBLEMS[kind] as RegExp);
      expect(message).toMatch(/^spec\.tls\[0\]\.secretName: /);
      expect(message).toContain(`; the class has no default certificate, so plain-HTTP requests for ${HOST} are redirected to HTTPS, which fails until the Secret is fixed (set nginx.ingress.kubernetes.io/ssl-redirect: "false" on this Ingress to serve it over plain HTTP meanwhile)`);
      expect(message).not.toMatch(/BEGIN|PRIVATE|not served over HTTPS/);
      for (const pair of Object.values(pairs)) expect(message).not.toContain(pair.key.split('\n')[1]);
    });

    it('serves plain HTTP when the Ingress says ssl-redirect "false", and says so', () => {
      const translated = config({ 'nginx.ingress.kubernetes.io/ssl-redirect': 'false' });
      const http = routeTable(fleetOf(translated, 'nginx').resources, 'http') as RouteConfiguration;
      expect(simulateRequest(http, HOST, '/')).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
      expect(warningsOn(translated, 'site')[0]).toContain(`; the class has no default certificate, so HTTPS to ${HOST} fails until the Secret is fixed, and this Ingress's paths there are served over plain HTTP (nginx.ingress.kubernetes.io/ssl-redirect: "false")`);
    });

    it('puts the host on the default certificate, redirected, when the class has one (as before)', () => {
      const translated = translate(...manifests({ secret: SECRETS[kind]?.(), defaultCertificate: true }));
      const resources = fleetOf(translated, 'nginx').resources;
      expect(httpsOf(resources)).toEqual({ serverNames: [], defaultChain: true });
      expect(resources.secrets.map((s) => s.name)).toEqual(['platform/fallback']);
      const http = routeTable(resources, 'http') as RouteConfiguration;
      expect(simulateRequest(http, HOST, '/')).toMatchObject({ status: 'redirect', code: 308, location: `https://${HOST}/` });
      expect(simulateRequest(http, HOST, ACME)).toMatchObject({ status: 'routed', cluster: 'web/solver/8089' });
      expect(simulateRequest(routeTable(resources, 'https') as RouteConfiguration, HOST, '/', { 'x-forwarded-proto': 'https' })).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
      const [message] = warningsOn(translated, 'site');
      expect(message).toMatch(PROBLEMS[kind] as RegExp);
      expect(message).toMatch(new RegExp(`; ${HOST.replace(/\./g, '\\.')} uses the class's default certificate$`));
    });
  });

  it('is redirected too when its spec.tls entry names no Secret, or a Secret of another namespace', () => {
    for (const [tls, message] of [
      [`{hosts: [${HOST}]}`, `spec.tls[0]: no secretName; the class has no default certificate, so plain-HTTP requests for ${HOST} are redirected to HTTPS, which fails until the entry names a Secret (set`],
      [`{hosts: [${HOST}], secretName: other/site-tls}`, `names a Secret in another namespace; an Ingress may only use Secrets of its own namespace (web); the class has no default certificate, so plain-HTTP requests for ${HOST} are redirected to HTTPS, which fails until secretName names a Secret of web (set`],
    ] as const) {
      const translated = translate(...manifests({ tls }));
      const http = routeTable(fleetOf(translated, 'nginx').resources, 'http') as RouteConfiguration;
      expect(simulateRequest(http, HOST, '/'), tls).toMatchObject({ status: 'redirect', location: `https://${HOST}/` });
      expect(warningsOn(translated, 'site').join('\n'), tls).toContain(message);
    }
  });

  it('says force-ssl-redirect redirects it, and offers no ssl-redirect hint where the class ignores the nginx annotations', () => {
    const forced = translate(...manifests({ annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' } }));
    expect(warningsOn(forced, 'site')[0]).toMatch(new RegExp(`so plain-HTTP requests for ${HOST.replace(/\./g, '\\.')} are redirected to HTTPS \\(force-ssl-redirect\\), which fails until the Secret is fixed$`));
    const nginxOff = translate(...manifests({ nginx: false }));
    const http = routeTable(fleetOf(nginxOff, 'nginx').resources, 'http') as RouteConfiguration;
    expect(simulateRequest(http, HOST, '/')).toMatchObject({ status: 'redirect', location: `https://${HOST}/` });
    expect(warningsOn(nginxOff, 'site').find((m) => m.startsWith('spec.tls'))).toMatch(/redirected to HTTPS, which fails until the Secret is fixed$/);
  });

  it('leaves hosts that never asked for TLS on plain HTTP, and the host on its own certificate once the Secret is fixed', () => {
    const fixed = translate(...manifests({ secret: secret('site-tls', pairs.good.cert + ca.cert, pairs.good.key) }));
    const resources = fleetOf(fixed, 'nginx').resources;
    expect(httpsOf(resources)).toEqual({ serverNames: [HOST], defaultChain: false });
    expect(warningsOn(fixed, 'site')).toEqual([]);
    const plain = translate(...manifests({ tls: '' }));
    expect(simulateRequest(routeTable(fleetOf(plain, 'nginx').resources, 'http') as RouteConfiguration, HOST, '/')).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
  });

  // docs/tls.md step 2: a rule host no entry lists, named by a certificate of its Ingress. When
  // that certificate expires (or is not valid yet) the host still asked for TLS: it moves to the
  // default certificate, or fails closed, as a listed host would; never to plain HTTP.
  describe('a rule host no entry lists, named by a certificate of its Ingress', () => {
    const UNLISTED = `{secretName: site-tls}`;
    const OUTSIDE_VALIDITY: Record<string, { secret: () => string; problem: RegExp }> = {
      expired: { secret: () => secret('site-tls', pairs.expired.cert + ca.cert, pairs.expired.key), problem: /^spec\.tls\[0\]\.secretName: Secret web\/site-tls has expired: the certificate in tls\.crt ended at / },
      'not valid yet': { secret: () => secret('site-tls', pairs.future.cert + ca.cert, pairs.future.key), problem: /^spec\.tls\[0\]\.secretName: Secret web\/site-tls is not valid yet: the certificate in tls\.crt starts at / },
    };

    describe.each(Object.keys(OUTSIDE_VALIDITY))('%s', (kind) => {
      const { secret: covering, problem } = OUTSIDE_VALIDITY[kind] as { secret: () => string; problem: RegExp };

      it('keeps plain HTTP redirected to HTTPS and serves no certificate for the host, when the class has no default certificate', () => {
        const translated = translate(...manifests({ tls: UNLISTED, secret: covering() }));
        expectClosed(fleetOf(translated, 'nginx').resources);
        const [message, ...others] = warningsOn(translated, 'site');
        expect(others).toEqual([]);
        expect(message).toMatch(problem);
        expect(message).toContain(`; the class has no default certificate, so plain-HTTP requests for ${HOST} are redirected to HTTPS, which fails until the Secret is fixed (set nginx.ingress.kubernetes.io/ssl-redirect: "false" on this Ingress to serve it over plain HTTP meanwhile)`);
        expect(message).not.toMatch(/BEGIN|PRIVATE/);
        for (const pair of Object.values(pairs)) expect(message).not.toContain(pair.key.split('\n')[1]);
      });

      it('puts the host on the default certificate, redirected, when the class has one', () => {
        const translated = translate(...manifests({ tls: UNLISTED, secret: covering(), defaultCertificate: true }));
        const resources = fleetOf(translated, 'nginx').resources;
        expect(httpsOf(resources)).toEqual({ serverNames: [], defaultChain: true });
        expect(resources.secrets.map((s) => s.name)).toEqual(['platform/fallback']);
        const http = routeTable(resources, 'http') as RouteConfiguration;
        expect(simulateRequest(http, HOST, '/')).toMatchObject({ status: 'redirect', code: 308, location: `https://${HOST}/` });
        expect(simulateRequest(routeTable(resources, 'https') as RouteConfiguration, HOST, '/', { 'x-forwarded-proto': 'https' })).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
        const [message, ...others] = warningsOn(translated, 'site');
        expect(others).toEqual([]);
        expect(message).toMatch(problem);
        expect(message).toMatch(new RegExp(`; ${HOST.replace(/\./g, '\\.')} uses the class's default certificate$`));
      });
    });

    it('uses the certificate while it is valid (as before)', () => {
      const translated = translate(...manifests({ tls: UNLISTED, secret: secret('site-tls', pairs.good.cert + ca.cert, pairs.good.key) }));
      const resources = fleetOf(translated, 'nginx').resources;
      expect(httpsOf(resources)).toEqual({ serverNames: [HOST], defaultChain: false });
      expect(resources.secrets.map((s) => s.name)).toEqual(['web/site-tls']);
      expect(simulateRequest(routeTable(resources, 'http') as RouteConfiguration, HOST, '/')).toMatchObject({ status: 'redirect', code: 308, location: `https://${HOST}/` });
      expect(warningsOn(translated, 'site')).toEqual([]);
    });

    it('prefers a valid certificate of a later entry to an expired one of an earlier entry', () => {
      const translated = translate(...manifests({ tls: `{secretName: old-tls}, ${UNLISTED}`, secrets: [secret('old-tls', pairs.expired.cert + ca.cert, pairs.expired.key), secret('site-tls', pairs.good.cert + ca.cert, pairs.good.key)] }));
      const resources = fleetOf(translated, 'nginx').resources;
      expect(httpsOf(resources)).toEqual({ serverNames: [HOST], defaultChain: false });
      expect(resources.secrets.map((s) => s.name)).toEqual(['web/site-tls']);
      // The expired Secret decides no host: its warning says only what is wrong with it.
      expect(warningsOn(translated, 'site')).toEqual([expect.stringMatching(/^spec\.tls\[0\]\.secretName: Secret web\/old-tls has expired: the certificate in tls\.crt ended at [^;]*$/)]);
    });

    it('names, in one warning, the listed host and the unlisted hosts its expired wildcard certificate names; a host it does not name stays on plain HTTP', () => {
      const translated = translate(...manifests({ tls: `{hosts: [${HOST}], secretName: site-tls}`, secret: secret('site-tls', pairs.wildExpired.cert + ca.cert, pairs.wildExpired.key), moreHosts: ['api.example.com', 'example.org'] }));
      const http = routeTable(fleetOf(translated, 'nginx').resources, 'http') as RouteConfiguration;
      for (const host of [HOST, 'api.example.com']) expect(simulateRequest(http, host, '/'), host).toMatchObject({ status: 'redirect', code: 308, location: `https://${host}/` });
      expect(simulateRequest(http, 'example.org', '/')).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
      const [message, ...others] = warningsOn(translated, 'site');
      expect(others).toEqual([]);
      expect(message).toMatch(/^spec\.tls\[0\]\.secretName: Secret web\/site-tls has expired: /);
      expect(message).toContain(`so plain-HTTP requests for ${HOST}, api.example.com are redirected to HTTPS, which fails until the Secret is fixed (set nginx.ingress.kubernetes.io/ssl-redirect: "false" on this Ingress to serve them over plain HTTP meanwhile)`);
    });

    it('cannot be judged from a Secret whose key does not match its certificate: the host stays on plain HTTP', () => {
      const translated = translate(...manifests({ tls: UNLISTED, secret: secret('site-tls', pairs.expired.cert + ca.cert, pairs.good.key) }));
      expect(simulateRequest(routeTable(fleetOf(translated, 'nginx').resources, 'http') as RouteConfiguration, HOST, '/')).toMatchObject({ status: 'routed', cluster: 'web/web/80' });
      expect(warningsOn(translated, 'site')).toEqual([expect.stringMatching(/^spec\.tls\[0\]\.secretName: Secret web\/site-tls has a tls\.key that does not match the certificate in tls\.crt$/)]);
    });
  });
});
