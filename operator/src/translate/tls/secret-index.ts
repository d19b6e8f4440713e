// The Secrets of a ClusterState by namespace/name, and what each means as a certificate. One per
// translation, shared by every fleet, so a Secret used by many hosts and classes is judged once.
import type { V1Secret } from '../../store/cluster-state.js';
import type { CertificateCheck } from './certificate.js';
import { checkTlsSecret } from './certificate.js';

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
      check = secret ? checkTlsSecret(secret, this.now) : { ok: false, problem: 'does not exist (or is not a kubernetes.io/tls Secret Portico can read)' };
      this.checks.set(name, check);
    }
    return check;
  }
}
