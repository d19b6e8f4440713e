// TLS termination checked with real TLS handshakes, without Envoy: the HTTPS listener and SDS
// Secrets Portico serves are stood up as Node TLS servers exactly as the filter chains describe
// them (SNI → chain by Envoy's server_names rules, the default chain for no or unknown SNI), and
// real TLS clients that trust only a CA made here connect by SNI and verify what they get: the
// right certificate for every host, the default one for the rest, nothing without a default (and
// for a host whose Secret is unusable, a failed handshake while its plain HTTP redirects to HTTPS).
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueServerCertificate } from '../../xds-server/src/tls/certificates.js';
import type { KeyPair } from '../../xds-server/src/tls/certificates.js';
import type { DownstreamTlsContext } from '../../xds-server/src/generated/envoy/extensions/transport_sockets/tls/v3/DownstreamTlsContext.js';
import type { FilterChain } from '../../xds-server/src/generated/envoy/config/listener/v3/FilterChain.js';
import type { FleetResources, RouteConfiguration } from '../../xds-server/src/resources.js';
import { simulateRequest } from './test-support/route-simulator.js';
import { fleetOf, translateYaml } from './test-support/translate-yaml.js';

let ca: KeyPair;
const certificates: Record<string, KeyPair> = {};
const servers: tls.Server[] = [];

beforeAll(async () => {
  ca = await createCa('Portico TLS termination test CA');
  const issue = async (name: string, dnsNames: string[]): Promise<void> => {
    certificates[name] = await issueServerCertificate(ca, { dnsNames });
  };
  await Promise.all([
    issue('shop', ['shop.example.com', 'www.shop.example.com']),
    issue('apps', ['*.apps.example.com']),
    issue('fallback', ['ingress.example.com']),
    issue('blog', ['blog.example.com']),
  ]);
});

afterEach(async () => {
  for (const server of servers.splice(0)) server.close();
});

function tlsSecret(namespace: string, name: string, pair: KeyPair): string {
  const b64 = (text: string): string => Buffer.from(text).toString('base64');
  return `apiVersion: v1
kind: Secret
metadata: {namespace: ${namespace}, name: ${name}}
type: kubernetes.io/tls
data: {tls.crt: ${b64(pair.cert + ca.cert)}, tls.key: ${b64(pair.key)}}
`;
}

function ingress(name: string, hosts: string[], secretName?: string, tlsHosts = hosts): string {
  const rules = hosts.map((host) => `    - host: "${host}"
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}`).join('\n');
  const tlsSection = secretName === undefined ? '' : `  tls: [{hosts: [${tlsHosts.map((h) => `"${h}"`).join(', ')}], secretName: ${secretName}}]\n`;
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: shop}
spec:
  ingressClassName: nginx
${tlsSection}  rules:
${rules}
`;
}

const CLASS = (parameters: boolean): string => `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: nginx}
spec:
  controller: portico.dev/ingress-controller
${parameters ? '  parameters: {apiGroup: portico.dev, kind: IngressClassParameters, scope: Namespace, namespace: platform, name: edge}\n' : ''}---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{name: http, port: 80}]}
`;

const PARAMETERS = `apiVersion: portico.dev/v1alpha1
kind: IngressClassParameters
metadata: {name: edge, namespace: platform}
spec:
  tls: {minimumVersion: "1.3", defaultCertificate: {namespace: platform, name: fallback}}
`;

/** What Envoy's filter chain matching does with an SNI: exact name, then `*.` wildcards from the longest suffix. */
function chainFor(chains: FilterChain[], serverName: string | undefined): FilterChain | undefined {
  const named = (name: string): FilterChain | undefined => chains.find((c) => c.filter_chain_match?.server_names?.includes(name));
  if (serverName) {
    const exact = named(serverName);
    if (exact) return exact;
    const labels = serverName.split('.');
    for (let i = 1; i < labels.length; i++) {
      const wildcard = named(`*.${labels.slice(i).join('.')}`);
      if (wildcard) return wildcard;
    }
  }
  return chains.find((c) => !c.filter_chain_match);
}

/** A TLS server per the served https Listener and its SDS Secrets. */
async function serveAsEnvoyWould(resources: FleetResources): Promise<number> {
  const listener = resources.listeners.find((l) => l.name === 'https');
  if (!listener) throw new Error('no https listener served');
  const chains = [...(listener.filter_chains ?? []), ...(listener.default_filter_chain ? [listener.default_filter_chain] : [])];
  // OpenSSL settles the version on the first context, before SNI picks another: every chain has the same tls_params.
  const server = tls.createServer({
    ...(chains[0] ? { minVersion: minimumVersion(chains[0]) } : {}),
    SNICallback: (serverName, done) => {
      const chain = chainFor(chains, serverName || undefined);
      if (!chain) return done(new Error(`no filter chain for ${serverName}`));
      done(null, tls.createSecureContext(secureContextOptions(chain, resources)));
    },
  });
  // A client without SNI never reaches SNICallback: the default chain's context is the server's own.
  const fallback = chainFor(chains, undefined);
  if (fallback) server.setSecureContext(secureContextOptions(fallback, resources));
  server.on('secureConnection', (socket) => socket.end('ok'));
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

function downstreamTlsContext(chain: FilterChain): DownstreamTlsContext {
  return chain.transport_socket?.typed_config as unknown as DownstreamTlsContext;
}

function minimumVersion(chain: FilterChain): tls.SecureVersion {
  return downstreamTlsContext(chain).common_tls_context?.tls_params?.tls_minimum_protocol_version === 'TLSv1_3' ? 'TLSv1.3' : 'TLSv1.2';
}

/** The chain's certificate, from the SDS Secret it names, as Envoy would load it. */
function secureContextOptions(chain: FilterChain, resources: FleetResources): tls.SecureContextOptions {
  const name = downstreamTlsContext(chain).common_tls_context?.tls_certificate_sds_secret_configs?.[0]?.name;
  const secret = resources.secrets.find((s) => s.name === name);
  const cert = secret?.tls_certificate?.certificate_chain?.inline_string;
  const key = secret?.tls_certificate?.private_key?.inline_string;
  if (!cert || !key) throw new Error(`chain ${chain.name ?? ''} refers to SDS Secret ${name ?? '?'}, which is not served`);
  return { cert, key, minVersion: minimumVersion(chain) };
}

/** `verified`: 'ok', or why the client would refuse (a name the certificate does not cover, an unknown CA…). */
type Handshake = { names: string; verified: string } | { error: string };

/** A real TLS client that trusts only the test CA; `servername` undefined sends no SNI. */
async function connect(port: number, servername: string | undefined, options: tls.ConnectionOptions = {}): Promise<Handshake> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: ca.cert, rejectUnauthorized: false, ...(servername ? { servername } : {}), ...options }, () => {
      const peer = socket.getPeerX509Certificate();
      const verified = socket.authorized ? 'ok' : String(socket.authorizationError);
      resolve({ names: new X509Certificate(peer?.raw ?? Buffer.alloc(0)).subjectAltName ?? '', verified });
      socket.destroy();
    });
    socket.on('error', (error) => resolve({ error: error.message }));
  });
}

describe('the served HTTPS listener, stood up with real TLS', () => {
  it('presents each host its own certificate, verified against the CA, and the default one to the rest', async () => {
    const config = translateYaml(
      CLASS(true),
      PARAMETERS,
      tlsSecret('shop', 'shop-tls', certificates['shop'] as KeyPair),
      tlsSecret('shop', 'apps-tls', certificates['apps'] as KeyPair),
      tlsSecret('platform', 'fallback', certificates['fallback'] as KeyPair),
      ingress('shop', ['shop.example.com', 'www.shop.example.com'], 'shop-tls', ['shop.example.com']),
      ingress('apps', ['*.apps.example.com'], 'apps-tls'),
      ingress('missing', ['broken.example.com'], 'not-there'),
      ingress('plain', ['plain.example.com']),
    );
    const port = await serveAsEnvoyWould(fleetOf(config, 'nginx').resources);
    // The default certificate verifies against the CA but names none of these hosts: a browser
    // warns, exactly as with ingress-nginx's default certificate.
    const otherName = 'ERR_TLS_CERT_ALTNAME_INVALID';
    const cases: Array<[string | undefined, string, string]> = [
      ['shop.example.com', 'DNS:shop.example.com, DNS:www.shop.example.com', 'ok'],
      // Not in tls.hosts, but the certificate names it: used, as ingress-nginx does.
      ['www.shop.example.com', 'DNS:shop.example.com, DNS:www.shop.example.com', 'ok'],
      ['api.apps.example.com', 'DNS:*.apps.example.com', 'ok'],
      ['broken.example.com', 'DNS:ingress.example.com', otherName],
      ['plain.example.com', 'DNS:ingress.example.com', otherName],
      ['unknown.example.org', 'DNS:ingress.example.com', otherName],
      [undefined, 'DNS:ingress.example.com', otherName],
    ];
    for (const [servername, names, verified] of cases) {
      expect(await connect(port, servername), `SNI ${servername ?? '(none)'}`).toEqual({ names, verified });
    }
    // It is the CA that makes them verify: a client that trusts another CA refuses even the right name.
    const stranger = await createCa('Someone else');
    expect(await connect(port, 'shop.example.com', { ca: stranger.cert })).toMatchObject({ verified: 'SELF_SIGNED_CERT_IN_CHAIN' });
  });

  it('verifies only for the hosts a certificate names: a real client checking the name accepts shop and refuses the default for broken', async () => {
    const config = translateYaml(
      CLASS(true),
      PARAMETERS,
      tlsSecret('shop', 'shop-tls', certificates['shop'] as KeyPair),
      tlsSecret('platform', 'fallback', certificates['fallback'] as KeyPair),
      ingress('shop', ['shop.example.com'], 'shop-tls'),
      ingress('missing', ['broken.example.com'], 'not-there'),
    );
    const port = await serveAsEnvoyWould(fleetOf(config, 'nginx').resources);
    expect(await connect(port, 'shop.example.com', { rejectUnauthorized: true })).toMatchObject({ verified: 'ok' });
    expect(await connect(port, 'broken.example.com', { rejectUnauthorized: true })).toEqual({ error: expect.stringMatching(/does not match certificate's altnames/) });
  });

  it('keeps the minimum TLS version of the class: a TLS 1.2 client is refused when the class asks for 1.3', async () => {
    const config = translateYaml(CLASS(true), PARAMETERS, tlsSecret('platform', 'fallback', certificates['fallback'] as KeyPair), tlsSecret('shop', 'shop-tls', certificates['shop'] as KeyPair), ingress('shop', ['shop.example.com'], 'shop-tls'));
    const port = await serveAsEnvoyWould(fleetOf(config, 'nginx').resources);
    expect(await connect(port, 'shop.example.com', { maxVersion: 'TLSv1.2' })).toEqual({ error: expect.stringMatching(/version|protocol/i) });
    expect(await connect(port, 'shop.example.com', { minVersion: 'TLSv1.3' })).toMatchObject({ verified: 'ok' });
  });

  it('closes connections for unknown names when the class has no default certificate', async () => {
    const config = translateYaml(CLASS(false), tlsSecret('shop', 'blog-tls', certificates['blog'] as KeyPair), ingress('blog', ['blog.example.com'], 'blog-tls'));
    const resources = fleetOf(config, 'nginx').resources;
    expect(resources.listeners.find((l) => l.name === 'https')?.default_filter_chain).toBeUndefined();
    const port = await serveAsEnvoyWould(resources);
    expect(await connect(port, 'blog.example.com')).toEqual({ names: 'DNS:blog.example.com', verified: 'ok' });
    expect(await connect(port, 'other.example.com')).toEqual({ error: expect.any(String) });
  });

  it('fails the handshake for a host whose Secret is missing (no default certificate), while plain HTTP for it is redirected to HTTPS, not served', async () => {
    const config = translateYaml(CLASS(false), tlsSecret('shop', 'blog-tls', certificates['blog'] as KeyPair), ingress('blog', ['blog.example.com'], 'blog-tls'), ingress('missing', ['broken.example.com'], 'not-there'));
    const resources = fleetOf(config, 'nginx').resources;
    const port = await serveAsEnvoyWould(resources);
    expect(await connect(port, 'blog.example.com')).toEqual({ names: 'DNS:blog.example.com', verified: 'ok' });
    expect(await connect(port, 'broken.example.com')).toEqual({ error: expect.any(String) });
    const http = resources.routeConfigurations.find((rc) => rc.name === 'http');
    expect(simulateRequest(http as RouteConfiguration, 'broken.example.com', '/')).toMatchObject({ status: 'redirect', location: 'https://broken.example.com/' });
  });

  it('serves no HTTPS listener at all when no certificate is usable', () => {
    const config = translateYaml(CLASS(false), ingress('blog', ['blog.example.com'], 'not-there'));
    const resources = fleetOf(config, 'nginx').resources;
    expect(resources.listeners.map((l) => l.name)).toEqual(['http']);
    expect(resources.secrets).toEqual([]);
    // The host asked for TLS: plain HTTP is still redirected to HTTPS (which fails), never served in the clear.
    const http = resources.routeConfigurations.find((rc) => rc.name === 'http');
    expect(simulateRequest(http as RouteConfiguration, 'blog.example.com', '/')).toMatchObject({ status: 'redirect', location: 'https://blog.example.com/' });
  });
});
