// The end of every certificate a fleet is served with, as a Prometheus series, so an alert can
// fire before a cert-manager renewal that silently failed lets one expire (the Warning Events on
// the Ingress say the same two weeks ahead). Certificates are judged at translation time, so the
// operator also translates again periodically: a certificate that expires between two changes
// moves to the default certificate within RECHECK_MS.
import type { MetricsRegistry } from '../../../observability/src/index.js';
import type { EnvoyConfig } from '../pipeline.js';

export const TLS_CERTIFICATE_EXPIRY_METRIC = 'portico_tls_certificate_expiry_timestamp_seconds';
export const RECHECK_MS = 60 * 60 * 1000;

export class CertificateExpiryMetric {
  private readonly gauge;
  private series = new Set<string>();

  constructor(registry: MetricsRegistry) {
    this.gauge = registry.gauge(TLS_CERTIFICATE_EXPIRY_METRIC, 'notAfter of each TLS certificate served to a fleet (secret is namespace/name), in seconds since the epoch.', ['fleet', 'secret']);
  }

  update(config: EnvoyConfig): void {
    const now = new Set<string>();
    for (const fleet of config.fleets) {
      for (const { name, notAfterMs } of fleet.certificates) {
        this.gauge.set({ fleet: fleet.fleet, secret: name }, Math.floor(notAfterMs / 1000));
        now.add(JSON.stringify([fleet.fleet, name]));
      }
    }
    for (const key of this.series) {
      if (now.has(key)) continue;
      const [fleet, secret] = JSON.parse(key) as [string, string];
      this.gauge.remove({ fleet, secret });
    }
    this.series = now;
  }
}
