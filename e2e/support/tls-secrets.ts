// TLS test material for the e2e suites and the rotation benchmark: a CA and leaf certificates made
// at run time (the code the xDS channel uses, xds-server/src/tls/certificates.ts), Kubernetes
// Secrets holding them, and what an SDS Secret served over xDS carries — its certificate only.
// Nothing here returns, prints or compares private keys: failures show fingerprints.
import { X509Certificate } from 'node:crypto';
import type { V1Secret } from '@kubernetes/client-node';
import { createCa, issueServerCertificate } from '../../xds-server/src/tls/certificates.js';
import type { KeyPair } from '../../xds-server/src/tls/certificates.js';

export type { KeyPair };
export const TLS_SECRET_TYPE = 'kubernetes.io/tls';

export interface TestCa {
  ca: KeyPair;
  /** A leaf for `hosts` (subjectAltName DNS names), signed by this CA. */
  leaf(hosts: string[], options?: { lifetimeMs?: number; now?: number }): Promise<KeyPair>;
}

export async function createTestCa(commonName = 'Portico e2e ingress CA'): Promise<TestCa> {
  const ca = await createCa(commonName);
  return { ca, leaf: (hosts, options = {}) => issueServerCertificate(ca, { dnsNames: hosts, ...options }) };
}

/** A Secret of `type` holding `pair` as tls.crt / tls.key (base64, as the API server stores it). */
export function tlsSecretObject(namespace: string, name: string, pair: KeyPair, type = TLS_SECRET_TYPE): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace, name },
    type,
    data: { 'tls.crt': Buffer.from(pair.cert).toString('base64'), 'tls.key': Buffer.from(pair.key).toString('base64') },
  };
}

/** SHA-256 fingerprint of the first certificate of a PEM chain ("AB:CD:…"), or a note saying why not. */
export function fingerprint(pem: string | undefined): string {
  if (pem === undefined) return '(no certificate)';
  try {
    return new X509Certificate(pem).fingerprint256;
  } catch {
    return '(not a PEM certificate)';
  }
}

/**
 * The certificate chain of a decoded SDS Secret (envoy.extensions.transport_sockets.tls.v3.Secret
 * in proto-loader object form), leaving its private key alone.
 */
export function servedCertificateChain(secret: Record<string, unknown> | undefined): string | undefined {
  const tls = secret?.['tls_certificate'] as { certificate_chain?: { inline_string?: string } } | undefined;
  return tls?.certificate_chain?.inline_string;
}

/** Whether a decoded SDS Secret carries a non-empty inline private key (its value is never returned). */
export function hasInlineKey(secret: Record<string, unknown> | undefined): boolean {
  const tls = secret?.['tls_certificate'] as { private_key?: { inline_string?: string } } | undefined;
  return (tls?.private_key?.inline_string ?? '').includes('PRIVATE KEY');
}
