// Certificates for TLS tests, made fresh per test run by the code the operator uses: a CA, the
// server's certificate for 127.0.0.1 and portico.test, client certificates per fleet, one from
// another CA and an expired one; and the grpc-js credentials a test client presents.
import * as grpc from '@grpc/grpc-js';
import { DAY_MS, createCa, issueClientCertificate, issueServerCertificate } from '../tls/certificates.js';
import type { KeyPair } from '../tls/certificates.js';
import type { TlsMaterial } from '../tls/tls-material.js';

/** The name test clients verify the server's certificate against. */
export const TEST_SERVER_NAME = 'portico.test';

export interface ClientTransport {
  credentials?: grpc.ChannelCredentials;
  options?: grpc.ChannelOptions;
}

export interface TlsFixtures {
  ca: KeyPair;
  server: TlsMaterial;
  /** A client certificate of the same CA naming `fleets`. */
  client(fleets: string[], options?: { lifetimeMs?: number; now?: number }): Promise<KeyPair>;
  /** A CA nobody trusts, and a client certificate it signed for `fleets`. */
  foreignClient(fleets: string[]): Promise<KeyPair>;
  /** Credentials presenting `client` (or none), trusting this CA, checking TEST_SERVER_NAME. */
  transport(client?: KeyPair, trust?: string): ClientTransport;
}

export async function makeTlsFixtures(): Promise<TlsFixtures> {
  const ca = await createCa('Portico test xDS CA');
  const serverPair = await issueServerCertificate(ca, { dnsNames: [TEST_SERVER_NAME], ipAddresses: ['127.0.0.1'] });
  return {
    ca,
    server: { ...serverPair, ca: ca.cert },
    client: (fleets, options = {}) => issueClientCertificate(ca, { fleets, ...options }),
    foreignClient: async (fleets) => issueClientCertificate(await createCa('Someone else'), { fleets }),
    transport: (client, trust = ca.cert) => ({
      credentials: grpc.credentials.createSsl(Buffer.from(trust), client ? Buffer.from(client.key) : null, client ? Buffer.from(client.cert) : null),
      options: { 'grpc.ssl_target_name_override': TEST_SERVER_NAME, 'grpc.default_authority': TEST_SERVER_NAME },
    }),
  };
}

/** Valid from 3 days ago to 1 day ago. */
export const EXPIRED = { lifetimeMs: 2 * DAY_MS, now: Date.now() - 3 * DAY_MS } as const;
