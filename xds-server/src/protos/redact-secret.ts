// What may be shown of an SDS Secret: everything but key material. Every printed form of a fleet
// (`portico translate`, /debug/xds, logs) goes through this; only the xDS stream itself carries keys.
import type { Secret } from '../resources.js';

export const REDACTED = '<redacted>';

export function redactSecret(secret: Secret): Secret {
  const redacted: Secret = { ...secret };
  if (secret.tls_certificate) {
    const certificate = { ...secret.tls_certificate };
    if (certificate.private_key) certificate.private_key = { inline_string: REDACTED };
    if (certificate.password) certificate.password = { inline_string: REDACTED };
    redacted.tls_certificate = certificate;
  }
  if (secret.session_ticket_keys) redacted.session_ticket_keys = { keys: [{ inline_string: REDACTED }] };
  if (secret.generic_secret) redacted.generic_secret = { secret: { inline_string: REDACTED } };
  return redacted;
}
