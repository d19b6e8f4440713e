// Who a client is, as far as the xDS server cares: the fleets its certificate names. A client
// certificate carries one URI SAN per fleet it may read, spiffe://portico/fleet/<fleet> (SPIFFE ID
// syntax, so cert-manager, SPIRE or any CA can issue it); nothing else in the certificate (its
// CN, DNS names) grants anything. The server checks the stream's node.cluster against that list.
import { X509Certificate } from 'node:crypto';

export const FLEET_URI_PREFIX = 'spiffe://portico/fleet/';

export function fleetIdentityUri(fleet: string): string {
  return `${FLEET_URI_PREFIX}${fleet}`;
}

export interface PeerIdentity {
  /** Fleets the certificate names (may be empty: then it reads nothing). */
  fleets: string[];
  subject: string;
  /** notAfter, ms since the epoch. */
  expiresAt: number;
  /** SHA-256 fingerprint, for logs. */
  fingerprint: string;
}

/** The identity of a verified peer certificate (DER), or undefined when it cannot be parsed. */
export function peerIdentity(der: Buffer): PeerIdentity | undefined {
  try {
    const certificate = new X509Certificate(der);
    return {
      fleets: fleetsOf(certificate.subjectAltName),
      subject: certificate.subject.replace(/\n/g, ', '),
      expiresAt: Date.parse(certificate.validTo),
      fingerprint: certificate.fingerprint256,
    };
  } catch {
    return undefined;
  }
}

/**
 * Fleets named by URI SANs in Node's subjectAltName text ("DNS:a, URI:spiffe://portico/fleet/b").
 * Node quotes an entry that contains a comma or quote as a JSON string; such an entry is not a
 * fleet (fleet names are DNS subdomains), so it is skipped rather than unquoted.
 */
export function fleetsOf(subjectAltName: string | undefined): string[] {
  const fleets: string[] = [];
  for (const entry of (subjectAltName ?? '').split(', ')) {
    if (!entry.startsWith(`URI:${FLEET_URI_PREFIX}`)) continue;
    const fleet = entry.slice(`URI:${FLEET_URI_PREFIX}`.length);
    if (/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(fleet)) fleets.push(fleet);
  }
  return fleets;
}
