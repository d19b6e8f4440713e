// The class's default certificate (IngressClassParameters spec.tls.defaultCertificate): served to
// clients whose SNI names no TLS host, and to TLS hosts whose own Secret cannot be used. A
// platform team may keep it in any namespace. Problems are reported on the IngressClass.
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ObjectName } from '../parameters/parameters-spec.js';
import { EXPIRY_WARNING_MS } from './certificate.js';
import type { SecretIndex } from './secret-index.js';
import type { DefaultCertificate } from './tls-hosts.js';

export function defaultCertificateOf(ref: ObjectName | undefined, secrets: SecretIndex, className: string): { certificate?: DefaultCertificate; diagnostics: Diagnostic[] } {
  if (!ref) return { diagnostics: [] };
  const name = `${ref.namespace}/${ref.name}`;
  const object = `IngressClass ${className}`;
  const check = secrets.certificate(name);
  if (!check.ok) {
    const message = `spec.parameters: tls.defaultCertificate: Secret ${name} ${check.problem}; clients whose SNI names no TLS host (and TLS hosts without a usable certificate) are refused`;
    return { diagnostics: [{ object, severity: 'warning', message }] };
  }
  const diagnostics: Diagnostic[] = [];
  if (check.certificate.notAfterMs - secrets.now < EXPIRY_WARNING_MS) {
    diagnostics.push({ object, severity: 'warning', message: `spec.parameters: tls.defaultCertificate: the certificate of Secret ${name} expires at ${new Date(check.certificate.notAfterMs).toISOString()}, in less than ${EXPIRY_WARNING_MS / 86_400_000} days` });
  }
  return { certificate: { name, certificate: check.certificate }, diagnostics };
}
