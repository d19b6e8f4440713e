// A kubernetes.io/tls Secret → a certificate Envoy can serve, or why it cannot be. Checked here
// because Envoy would reject a bad SDS Secret with nothing the Ingress's owner can see: the PEM
// must parse, the key must match the leaf, and every certificate of the chain must be valid now.
// A certificate refused only for its validity period still tells the names it would cover.
// Parsing is memoised per Secret object (objects are immutable snapshots); the clock is a
// parameter, so translation stays pure.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import type { V1Secret } from '../../store/cluster-state.js';
import { TLS_SECRET_TYPE } from '../../store/cluster-state.js';
/** Certificates closer than this to their end get a Warning (cert-manager renews 30 days before a 90-day certificate ends). */
export const EXPIRY_WARNING_MS = 14 * 24 * 3600 * 1000;
/** Clocks differ: a certificate starting this soon counts as valid (cert-manager's start is "now"). */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** The label on the xDS channel's own Secrets (its CA, fleets' client certificates): never served. */
export const XDS_IDENTITY_LABEL = 'portico.dev/xds-identity';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

export interface ServableCertificate {
  /** PEM, leaf first. */
  certificateChain: string;
  privateKey: string;
  /** DNS names of the leaf (subjectAltName), lowercase. */
  dnsNames: string[];
  notAfterMs: number;
}

interface Validity {
  what: string;
  fromMs: number;
  toMs: number;
}

type Parsed = { ok: true; certificate: ServableCertificate; validity: Validity[] } | { ok: false; problem: string };
export type CertificateCheck =
  | { ok: true; certificate: ServableCertificate }
  | {
      ok: false;
      problem: string;
      /**
       * Set only when the certificate is sound but outside its validity period (expired, or not
       * valid yet): the DNS names of its leaf, lowercase. It cannot be served, yet it still tells
       * which hosts its Secret was meant for (tls-hosts.ts: such a host asked for TLS).
       */
      dnsNames?: string[];
    };

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const parsedSecrets = new WeakMap<V1Secret, Parsed>();

/** Never quotes key or certificate material: problems end up in Events and logs. */
export function checkTlsSecret(secret: V1Secret, now: number): CertificateCheck {
  let parsed = parsedSecrets.get(secret);
  if (!parsed) {
    parsed = parseTlsSecret(secret);
    parsedSecrets.set(secret, parsed);
  }
  if (!parsed.ok) return parsed;
  for (const { what, fromMs, toMs } of parsed.validity) {
    const { dnsNames } = parsed.certificate;
    if (now + CLOCK_SKEW_MS < fromMs) return { ok: false, problem: `is not valid yet: ${what} in tls.crt starts at ${new Date(fromMs).toISOString()}`, dnsNames };
    if (now > toMs) return { ok: false, problem: `has expired: ${what} in tls.crt ended at ${new Date(toMs).toISOString()}`, dnsNames };
  }
  return { ok: true, certificate: parsed.certificate };
}

function parseTlsSecret(secret: V1Secret): Parsed {
  if (secret.type !== TLS_SECRET_TYPE) return { ok: false, problem: `has type ${JSON.stringify(secret.type ?? '')}, not ${TLS_SECRET_TYPE}` };
  // Its key would let whoever reads the fleet's SDS impersonate the operator or another fleet.
  if (secret.metadata?.labels?.[XDS_IDENTITY_LABEL] !== undefined) return { ok: false, problem: `is one of Portico's xDS channel Secrets (label ${XDS_IDENTITY_LABEL}), which are never served to a fleet` };
  const crt = decoded(secret, 'tls.crt');
  const key = decoded(secret, 'tls.key');
  if (crt === undefined) return { ok: false, problem: 'has no tls.crt' };
  if (key === undefined) return { ok: false, problem: 'has no tls.key' };
  const blocks = crt.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return { ok: false, problem: 'has no PEM certificate in tls.crt' };
  let chain: X509Certificate[];
  try {
    chain = blocks.map((block) => new X509Certificate(block));
  } catch {
    return { ok: false, problem: 'has a certificate in tls.crt that does not parse' };
  }
  const leaf = chain[0] as X509Certificate;
  let matches: boolean;
  try {
    matches = leaf.checkPrivateKey(createPrivateKey(key));
  } catch {
    return { ok: false, problem: 'has a tls.key that is not a PEM private key' };
  }
  if (!matches) return { ok: false, problem: 'has a tls.key that does not match the certificate in tls.crt' };
  // Extended key usage, when present, must allow serving TLS (a client certificate must not be served).
  const usages = leaf.keyUsage;
  if (usages !== undefined && usages.length > 0 && !usages.includes(SERVER_AUTH)) return { ok: false, problem: 'holds a certificate in tls.crt that is not for servers (its extended key usage lacks serverAuth)' };
  const validity = chain.map((certificate, i) => ({
    what: i === 0 ? 'the certificate' : `certificate ${i + 1} of the chain`,
    fromMs: Date.parse(certificate.validFrom),
    toMs: Date.parse(certificate.validTo),
  }));
  const certificate = { certificateChain: `${blocks.join('\n')}\n`, privateKey: key, dnsNames: dnsNamesOf(leaf), notAfterMs: Date.parse(leaf.validTo) };
  return { ok: true, certificate, validity };
}

/** Read objects carry `data` (base64); hand-written manifests may use `stringData`. */
function decoded(secret: V1Secret, field: string): string | undefined {
  const data = secret.data?.[field];
  if (data !== undefined && data !== '') return Buffer.from(data, 'base64').toString('utf8');
  const text = secret.stringData?.[field];
  return text === undefined || text === '' ? undefined : text;
}

/** `DNS:a.example.com, DNS:*.example.com, IP Address:…` → the DNS names. */
function dnsNamesOf(certificate: X509Certificate): string[] {
  const entries = (certificate.subjectAltName ?? '').split(', ');
  return entries.filter((entry) => entry.startsWith('DNS:')).map((entry) => entry.slice(4).toLowerCase());
}

/**
 * Whether a certificate names an Ingress host as a TLS client checks it: the exact name, or a
 * `*.suffix` SAN covering one label. An Ingress wildcard host needs that very wildcard SAN.
 */
export function certificateCovers(dnsNames: readonly string[], host: string): boolean {
  if (dnsNames.includes(host)) return true;
  if (host.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && dnsNames.includes(`*${host.slice(dot)}`);
}
