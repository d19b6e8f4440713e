// The Secrets of a ClusterState by namespace/name, and what each means as a certificate. One per
// translation, shared by every fleet, so a Secret used by many hosts and classes is judged once.
import type { V1Secret } from '../../store/cluster-state.js';
import type { CertificateCheck } from './certificate.js';
import { checkTlsSecret } from './certificate.js';

/**
 * Why a named Secret is absent. In a cluster the API server hands over only kubernetes.io/tls
 * Secrets (a field selector: sources/kubernetes/watched-resources.ts), so an Opaque Secret of that
 * name is indistinguishable from none; the message names both causes. (From manifests, a Secret of
 * another type is present and told `has type "Opaque"`.) Never says anything of the Secret's data.
 */
const NOT_FOUND = 'was not found as a kubernetes.io/tls Secret with tls.crt and tls.key (it does not exist, or it has another type, such as Opaque: Portico watches no other Secrets)';

export class SecretIndex {
  private readonly byName = new Map<string, V1Secret>();
  private readonly checks = new Map<string, CertificateCheck>();

  constructor(
    secrets: readonly V1Secret[],
    /** Milliseconds since the epoch: certificates are judged valid or expired at this instant. */
    readonly now: number,
  ) {
    for (const secret of secrets) this.byName.set(`${secret.metadata?.namespace ?? ''}/${secret.metadata?.name ?? ''}`, secret);
  }

  /** `namespace/name` → the certificate, or why it cannot be served (missing included). */
  certificate(name: string): CertificateCheck {
    let check = this.checks.get(name);
    if (!check) {
      const secret = this.byName.get(name);
      check = secret ? checkTlsSecret(secret, this.now) : { ok: false, problem: NOT_FOUND };
      this.checks.set(name, check);
    }
    return check;
  }
}
