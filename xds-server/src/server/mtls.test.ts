// Mutual TLS on the xDS port, over real sockets and real handshakes: who is refused and how, who is
// served, certificate rotation under connected clients, and Secrets reaching only their fleet.
import { describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { fleetResources } from '../test-support/fleet-fixtures.js';
import { RawAdsClient } from '../test-support/raw-ads-client.js';
import { RawDeltaClient } from '../test-support/raw-delta-client.js';
import { waitFor } from '../test-support/test-server.js';
import type { TestServer } from '../test-support/test-server.js';
import { EXPIRED, makeTlsFixtures } from '../test-support/tls-fixtures.js';
import type { TlsFixtures } from '../test-support/tls-fixtures.js';
import { issueServerCertificate } from '../tls/certificates.js';
import { MutableTlsSource } from '../tls/tls-material.js';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { testScope } from '../test-support/test-scope.js';

const { defer, start } = testScope();

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nNGINXFLEETSECRETKEY\n-----END PRIVATE KEY-----\n';

let fixtures: TlsFixtures | undefined;
const tls = async (): Promise<TlsFixtures> => (fixtures ??= await makeTlsFixtures());

async function mtlsServer(): Promise<{ s: TestServer; source: MutableTlsSource; f: TlsFixtures }> {
  const f = await tls();
  const source = new MutableTlsSource(f.server);
  const s = await start({ tls: source });
  const nginx = fleetResources({ routes: { 'a.example.com': 'default/a/80' }, endpoints: { 'default/a/80': [50001] } });
  nginx.secrets = [{ name: 'default/tls', tls_certificate: { certificate_chain: { inline_string: 'CERT' }, private_key: { inline_string: PRIVATE_KEY } } }];
  s.server.publishFleet('nginx', nginx);
  s.server.publishFleet('other', fleetResources({ routes: { 'b.example.com': 'default/b/80' }, endpoints: { 'default/b/80': [50002] } }));
  return { s, source, f };
}

function client(s: TestServer, fleet: string, transport: ReturnType<TlsFixtures['transport']>, id = `envoy-${fleet}`): RawAdsClient {
  const c = new RawAdsClient(s.address, { id, cluster: fleet }, true, transport);
  defer(() => c.close());
  return c;
}

describe('the xDS port with mutual TLS', () => {
  it('serves a client whose certificate names its fleet, Secrets included', async () => {
    const { s, f } = await mtlsServer();
    const c = client(s, 'nginx', f.transport(await f.client(['nginx'])));
    c.subscribe('cluster');
    expect((await c.next('cluster')).resources.length).toBeGreaterThan(0);
    c.subscribe('secret', ['default/tls']);
    const secret = await c.next('secret');
    expect(JSON.stringify(secret.resources[0]?.object)).toContain('NGINXFLEETSECRETKEY');
    expect(s.events('xds.listening')[0]).toMatchObject({ transport: 'mtls' });
  });

  it('refuses a client without a certificate: UNAUTHENTICATED saying why, a log line, nothing sent', async () => {
    const { s, f } = await mtlsServer();
    const c = client(s, 'nginx', f.transport(undefined));
    c.subscribe('secret', ['default/tls']);
    const status = await c.ended;
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(status.details).toMatch(/requires a client certificate.*no_certificate/);
    expect(c.responsesReceived).toBe(0);
    await waitFor(() => s.events('xds.tls_refused').length > 0);
    expect(s.events('xds.tls_refused')[0]).toMatchObject({ reason: 'no_certificate' });
    expect(await s.server.metrics.render()).toMatch(/portico_xds_tls_refused_total\{reason="no_certificate"\} 1/);
  });

  it('refuses a certificate from another CA', async () => {
    const { s, f } = await mtlsServer();
    const c = client(s, 'nginx', f.transport(await f.foreignClient(['nginx'])));
    c.subscribe('secret', ['default/tls']);
    const status = await c.ended;
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(status.details).toMatch(/untrusted/);
    expect(c.responsesReceived).toBe(0);
    expect(s.events('xds.tls_refused')[0]).toMatchObject({ reason: 'untrusted' });
  });

  it('refuses an expired certificate, naming expiry', async () => {
    const { s, f } = await mtlsServer();
    const c = client(s, 'nginx', f.transport(await f.client(['nginx'], EXPIRED)));
    c.subscribe('secret', ['default/tls']);
    const status = await c.ended;
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(status.details).toMatch(/expired: CERT_HAS_EXPIRED/);
    expect(c.responsesReceived).toBe(0);
    expect(s.events('xds.tls_refused')[0]).toMatchObject({ reason: 'expired', detail: 'CERT_HAS_EXPIRED' });
  });

  it('ends a stream whose client certificate expires while it is open: UNAUTHENTICATED, and no more configuration', async () => {
    const f = await tls();
    const s = await start({ tls: new MutableTlsSource(f.server), certificateExpiryCheckMs: 100 });
    s.server.publishFleet('nginx', fleetResources({ routes: { 'a.example.com': 'default/a/80' }, endpoints: { 'default/a/80': [50001] } }));
    const c = client(s, 'nginx', f.transport(await f.client(['nginx'], { lifetimeMs: 2_000 })));
    c.subscribe('cluster');
    expect((await c.next('cluster')).resources.length).toBeGreaterThan(0);
    const status = await c.ended;
    expect(status.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(status.details).toContain('client certificate has expired');
    expect(s.events('xds.client_certificate_expired')).toHaveLength(1);
  });

  it('refuses a valid certificate of fleet nginx asking for fleet other (SotW and Delta): PERMISSION_DENIED, a log line, nothing sent', async () => {
    const { s, f } = await mtlsServer();
    const nginxCertificate = await f.client(['nginx']);
    const c = client(s, 'other', f.transport(nginxCertificate));
    c.subscribe('cluster');
    const status = await c.ended;
    expect(status.code).toBe(grpc.status.PERMISSION_DENIED);
    expect(status.details).toContain('may read fleet "nginx", not node.cluster "other"');
    expect(c.responsesReceived).toBe(0);
    expect(s.events('xds.permission_denied')[0]).toMatchObject({ fleet: 'other', allowedFleets: ['nginx'], code: 'PERMISSION_DENIED' });

    const d = new RawDeltaClient(s.address, { id: 'delta-other', cluster: 'other' }, true, f.transport(nginxCertificate));
    defer(() => d.close());
    d.subscribe('secret', ['default/tls']);
    expect((await d.ended).code).toBe(grpc.status.PERMISSION_DENIED);
    expect(d.responsesReceived).toBe(0);
    expect(await s.server.metrics.render()).toMatch(/portico_xds_streams_refused_total\{reason="permission_denied"\} 2/);
  });

  it('sends a fleet\'s Secrets only to that fleet\'s clients, also when one certificate names two fleets', async () => {
    const { s, f } = await mtlsServer();
    const both = await f.client(['other', 'nginx']);
    const other = client(s, 'other', f.transport(both), 'other-1');
    other.subscribe('secret', ['default/tls']);
    // The other fleet has no such Secret: nothing is sent (SotW sends a name once it exists), not nginx's.
    expect(await other.quietFor(300, 'secret')).toBe(true);
    expect(other.responsesReceived).toBe(0);
    const nginx = client(s, 'nginx', f.transport(both), 'nginx-1');
    nginx.subscribe('secret', ['default/tls']);
    expect((await nginx.next('secret')).resources).toHaveLength(1);
  });

  it('rotates the server certificate under connected clients: new connections get the new one, open streams keep working', async () => {
    const { s, source, f } = await mtlsServer();
    const before = client(s, 'nginx', f.transport(await f.client(['nginx'])), 'before');
    before.subscribe('cluster');
    const first = await before.next('cluster');
    const old = serialOf(await peerCertificate(s.address, f));

    const renewed = await issueServerCertificate(f.ca, { dnsNames: ['portico.test'], ipAddresses: ['127.0.0.1'] });
    source.set({ ...renewed, ca: f.ca.cert });
    await waitFor(() => s.events('xds.tls_reloaded').length > 0);
    expect(serialOf(await peerCertificate(s.address, f))).toBe(new X509Certificate(renewed.cert).serialNumber);
    expect(serialOf(await peerCertificate(s.address, f))).not.toBe(old);

    // The stream opened before the rotation still gets updates.
    before.ack(first);
    s.server.publishFleet('nginx', fleetResources({ routes: { 'a.example.com': 'default/a/80', 'c.example.com': 'default/c/80' }, endpoints: { 'default/a/80': [50001], 'default/c/80': [50003] } }));
    const update = await before.next('cluster');
    expect(update.resources.map((r) => r.name)).toContain('default/c/80');
    // And a new client connects with the new certificate.
    const after = client(s, 'nginx', f.transport(await f.client(['nginx'])), 'after');
    after.subscribe('cluster');
    expect((await after.next('cluster')).resources.length).toBe(2);
  });

  it('keeps the current certificate when the new one is unusable, and says so', async () => {
    const { s, source, f } = await mtlsServer();
    const other = await issueServerCertificate(f.ca, { dnsNames: ['portico.test'] });
    source.set({ cert: f.server.cert, key: other.key, ca: f.ca.cert });
    expect(s.events('xds.tls_reload_failed')).toHaveLength(1);
    const c = client(s, 'nginx', f.transport(await f.client(['nginx'])));
    c.subscribe('cluster');
    expect((await c.next('cluster')).resources.length).toBeGreaterThan(0);
  });

  it('exports the server certificate\'s and the CA\'s expiry', async () => {
    const { s, f } = await mtlsServer();
    const notAfter = Math.floor(Date.parse(new X509Certificate(f.server.cert).validTo) / 1000);
    expect(await s.server.metrics.render()).toContain(`portico_xds_certificate_expiry_timestamp_seconds{certificate="server"} ${notAfter}`);
    expect(await s.server.metrics.render()).toMatch(/portico_xds_certificate_expiry_timestamp_seconds\{certificate="ca"\} \d+/);
  });
});

function peerCertificate(address: string, f: TlsFixtures): Promise<X509Certificate> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port), ca: f.ca.cert, servername: 'portico.test', ALPNProtocols: ['h2'] }, () => {
      const raw = socket.getPeerCertificate().raw;
      socket.destroy();
      resolve(new X509Certificate(raw));
    });
    socket.on('error', reject);
  });
}

function serialOf(certificate: X509Certificate): string {
  return certificate.serialNumber;
}
