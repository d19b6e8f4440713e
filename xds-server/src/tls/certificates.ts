// Issuing the xDS channel's certificates: a CA, serving certificates for the xDS server and client
// certificates naming fleets. ECDSA P-256 keys from Node's WebCrypto; @peculiar/x509 builds and
// signs the certificates (Node can parse X.509 but not issue it; decision 0008). Everything is
// PEM in and out, the form Kubernetes Secrets, cert-manager and Envoy use.
import 'reflect-metadata'; // @peculiar/x509 2.x resolves its encoders through tsyringe, which needs it
import { X509Certificate as NodeX509, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { fleetIdentityUri } from './fleet-identity.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;
// Node's WebCrypto is the standard one; the library's type is the DOM's.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A certificate and its private key, PEM. */
export interface KeyPair {
  cert: string;
  key: string;
}

export const DAY_MS = 24 * 60 * 60 * 1000;

export interface CertificateLifetimes {
  ca: number;
  server: number;
  client: number;
}

/**
 * The CA lives 10 years: replacing it means every Envoy must get the new ca.crt, so it is rare and
 * deliberate (docs/install.md). Leaves are short and renewed automatically at two thirds of their
 * life: a server certificate is re-issued in memory, a client Secret rewritten by the leader.
 */
export const DEFAULT_LIFETIMES: CertificateLifetimes = { ca: 3650 * DAY_MS, server: 30 * DAY_MS, client: 90 * DAY_MS };

/** Clocks drift: certificates are valid from an hour before they are made. */
const BACKDATE_MS = 60 * 60 * 1000;

export async function createCa(commonName: string, lifetimeMs = DEFAULT_LIFETIMES.ca, now = Date.now()): Promise<KeyPair> {
  const keys = await generateKeys();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${escapeRdn(commonName)}`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + lifetimeMs),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: certificate.toString('pem') + '\n', key: await privateKeyPem(keys.privateKey) };
}

export interface ServerCertificateOptions {
  dnsNames: string[];
  ipAddresses?: string[];
  lifetimeMs?: number;
  now?: number;
}

/** The xDS server's certificate: the names clients dial (the Service's DNS names, or an IP). */
export async function issueServerCertificate(ca: KeyPair, options: ServerCertificateOptions): Promise<KeyPair> {
  const names = [...options.dnsNames.map((value) => ({ type: 'dns' as const, value })), ...(options.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value }))];
  if (names.length === 0) throw new Error('a server certificate needs at least one DNS name or IP address');
  return issue(ca, {
    commonName: options.dnsNames[0] ?? options.ipAddresses?.[0] ?? 'portico-xds',
    names,
    usage: x509.ExtendedKeyUsage.serverAuth,
    lifetimeMs: options.lifetimeMs ?? DEFAULT_LIFETIMES.server,
    now: options.now ?? Date.now(),
  });
}

export interface ClientCertificateOptions {
  fleets: string[];
  lifetimeMs?: number;
  now?: number;
}

/** A client certificate that may read `fleets`: one URI SAN each (fleet-identity.ts). */
export async function issueClientCertificate(ca: KeyPair, options: ClientCertificateOptions): Promise<KeyPair> {
  if (options.fleets.length === 0) throw new Error('a client certificate must name at least one fleet');
  return issue(ca, {
    commonName: `portico fleet ${options.fleets.join(',')}`.slice(0, 64),
    names: options.fleets.map((fleet) => ({ type: 'url' as const, value: fleetIdentityUri(fleet) })),
    usage: x509.ExtendedKeyUsage.clientAuth,
    lifetimeMs: options.lifetimeMs ?? DEFAULT_LIFETIMES.client,
    now: options.now ?? Date.now(),
  });
}

interface LeafOptions {
  commonName: string;
  names: x509.JsonGeneralName[];
  usage: x509.ExtendedKeyUsage;
  lifetimeMs: number;
  now: number;
}

async function issue(ca: KeyPair, options: LeafOptions): Promise<KeyPair> {
  const issuer = new x509.X509Certificate(ca.cert);
  const issuerKey = await importPrivateKey(ca.key);
  const keys = await generateKeys();
  // A leaf never outlives its CA: a client would reject the chain anyway.
  const notAfter = Math.min(options.now + options.lifetimeMs, issuer.notAfter.getTime());
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${escapeRdn(options.commonName)}`,
    issuer: issuer.subject,
    notBefore: new Date(options.now - BACKDATE_MS),
    notAfter: new Date(notAfter),
    publicKey: keys.publicKey,
    signingKey: issuerKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([options.usage], false),
      new x509.SubjectAlternativeNameExtension(options.names, false),
      await x509.AuthorityKeyIdentifierExtension.create(issuer, false),
    ],
  });
  return { cert: certificate.toString('pem') + '\n', key: await privateKeyPem(keys.privateKey) };
}

/** notAfter of the first certificate in a PEM bundle, ms since the epoch. */
export function expiryOf(pem: string): number {
  return Date.parse(new NodeX509(pem).validTo);
}

/** notBefore of the first certificate in a PEM bundle. */
export function issuedAt(pem: string): number {
  return Date.parse(new NodeX509(pem).validFrom);
}

/** Past two thirds of its life (or expired): time to issue a new one. */
export function needsRenewal(pem: string, now = Date.now()): boolean {
  const from = issuedAt(pem);
  const to = expiryOf(pem);
  return now >= from + ((to - from) * 2) / 3;
}

async function generateKeys(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END PRIVATE KEY-----\n`;
}

async function importPrivateKey(pem: string): Promise<CryptoKey> {
  const body = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  return webcrypto.subtle.importKey('pkcs8', Buffer.from(body, 'base64'), ALGORITHM, false, ['sign']);
}

/** Positive 128-bit serial numbers (RFC 5280 allows up to 20 octets). */
function serial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return bytes.toString('hex');
}

function escapeRdn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}
