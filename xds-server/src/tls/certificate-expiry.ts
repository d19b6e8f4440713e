// Certificates must not expire unnoticed (Contour's users found out when Envoys stopped getting
// configuration: projectcontour/contour#5556, #7309). Every certificate the xDS channel depends on
// is a series, portico_xds_certificate_expiry_timestamp_seconds, and a warning in the log once
// it has less than a third of its life, or WARN_BEFORE_MS, left (whichever comes first), repeated
// daily until it is replaced.
import { X509Certificate } from 'node:crypto';
import type { Logger } from '../../../observability/src/index.js';
import type { Gauge, MetricsRegistry } from '../../../observability/src/index.js';

export const CERTIFICATE_EXPIRY_METRIC = 'portico_xds_certificate_expiry_timestamp_seconds';
export const WARN_BEFORE_MS = 14 * 24 * 60 * 60 * 1000;
const CHECK_EVERY_MS = 60 * 60 * 1000;
const REPEAT_EVERY_MS = 24 * 60 * 60 * 1000;

/** Which certificate: the CA, the server's, or the client certificate of a fleet (issued Secrets). */
export interface CertificateLabels {
  certificate: 'ca' | 'server' | 'client';
  fleet?: string;
}

interface Watched {
  labels: CertificateLabels;
  subject: string;
  notBefore: number;
  notAfter: number;
  warnedAt?: number;
}

export class CertificateExpiry {
  private readonly gauge: Gauge;
  private readonly watched = new Map<string, Watched>();
  private timer?: NodeJS.Timeout;

  constructor(
    registry: MetricsRegistry,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.gauge = registry.gauge(CERTIFICATE_EXPIRY_METRIC, 'notAfter of each certificate the xDS channel depends on (ca, server, client per fleet), in seconds since the epoch.', ['certificate', 'fleet']);
  }

  /** Records (or replaces) a certificate, the first of a PEM bundle, and warns now if it is close to expiry. */
  set(labels: CertificateLabels, pem: string): void {
    const certificate = new X509Certificate(pem);
    const entry: Watched = { labels, subject: certificate.subject.replace(/\n/g, ', '), notBefore: Date.parse(certificate.validFrom), notAfter: Date.parse(certificate.validTo) };
    this.watched.set(keyOf(labels), entry);
    this.gauge.set(seriesLabels(labels), Math.floor(entry.notAfter / 1000));
    this.check(entry);
    this.timer ??= setInterval(() => this.checkAll(), CHECK_EVERY_MS).unref();
  }

  delete(labels: CertificateLabels): void {
    this.watched.delete(keyOf(labels));
    this.gauge.remove(seriesLabels(labels));
  }

  checkAll(): void {
    for (const entry of this.watched.values()) this.check(entry);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private check(entry: Watched): void {
    const now = this.now();
    const left = entry.notAfter - now;
    const threshold = Math.min(WARN_BEFORE_MS, (entry.notAfter - entry.notBefore) / 3);
    if (left > threshold) return;
    if (entry.warnedAt !== undefined && now - entry.warnedAt < REPEAT_EVERY_MS) return;
    entry.warnedAt = now;
    const fields = { ...entry.labels, subject: entry.subject, notAfter: new Date(entry.notAfter).toISOString(), hoursLeft: Math.floor(left / 3_600_000) };
    if (left <= 0) this.logger.error('xds.certificate_expired', { ...fields, hint: hintFor(entry.labels) });
    else this.logger.warn('xds.certificate_expiring', { ...fields, hint: hintFor(entry.labels) });
  }
}

function hintFor(labels: CertificateLabels): string {
  if (labels.certificate === 'ca') return 'replace the CA before it expires: docs/install.md, "Rotating the xDS CA"';
  return 'it should have been renewed by now: check the operator logs (xds_identity.*) or, with your own certificates, cert-manager';
}

function seriesLabels(labels: CertificateLabels): Record<string, string> {
  return { certificate: labels.certificate, ...(labels.fleet === undefined ? {} : { fleet: labels.fleet }) };
}

function keyOf(labels: CertificateLabels): string {
  return `${labels.certificate}/${labels.fleet ?? ''}`;
}
