// The class's default certificate (IngressClassParameters spec.tls.defaultCertificate): served to
// clients whose SNI names no TLS host, and to TLS hosts whose own Secret cannot be used. A
// platform team may keep it in any namespace. Problems are reported on the IngressClass.
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ObjectName } from '../parameters/parameters-spec.js';
import { EXPIRY_WARNING_MS } from './certificate.js';
import type { SecretIndex } from './secret-index.js';
import type { DefaultCertificate } from './tls-hosts.js';

/**
 * @param parametersNamespace the namespace of namespaced IngressClassParameters: they may name a
 * Secret of that namespace only (whoever may write them there may not read other namespaces'
 * Secrets); ClusterIngressClassParameters may name any.
 */
export function defaultCertificateOf(ref: ObjectName | undefined, secrets: SecretIndex, className: string, parametersNamespace?: string): { certificate?: DefaultCertificate; diagnostics: Diagnostic[] } {
  if (!ref) return { diagnostics: [] };
  const name = `${ref.namespace}/${ref.name}`;
  const object = `IngressClass ${className}`;
  const refused = `clients whose SNI names no TLS host (and TLS hosts without a usable certificate) are refused`;
  if (parametersNamespace !== undefined && ref.namespace !== parametersNamespace) {
    const message = `spec.parameters: tls.defaultCertificate: IngressClassParameters of namespace ${parametersNamespace} may name a Secret of that namespace only, not ${name} (ClusterIngressClassParameters may name any); ${refused}`;
    return { diagnostics: [{ object, severity: 'error', message }] };
  }
  const check = secrets.certificate(name);
  if (!check.ok) {
    const message = `spec.parameters: tls.defaultCertificate: Secret ${name} ${check.problem}; ${refused}`;
    return { diagnostics: [{ object, severity: 'warning', message }] };
  }
  if (check.certificate.dnsNames.length === 0) {
    const message = `spec.parameters: tls.defaultCertificate: Secret ${name} holds a certificate that names no DNS host (subjectAltName); ${refused}`;
    return { diagnostics: [{ object, severity: 'warning', message }] };
  }
  const diagnostics: Diagnostic[] = [];
  if (check.certificate.notAfterMs - secrets.now < EXPIRY_WARNING_MS) {
    diagnostics.push({ object, severity: 'warning', message: `spec.parameters: tls.defaultCertificate: the certificate of Secret ${name} expires at ${new Date(check.certificate.notAfterMs).toISOString()}, in less than ${EXPIRY_WARNING_MS / 86_400_000} days` });
  }
  return { certificate: { name, certificate: check.certificate }, diagnostics };
}
