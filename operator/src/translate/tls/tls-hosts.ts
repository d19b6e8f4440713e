// Which certificate each TLS host of a fleet is served with, from the Ingresses' `spec.tls`, as
// ingress-nginx chooses it, for the hosts of the Ingress's own rules only (a `tls` entry cannot
// take over a host that another Ingress routes): the Secret of the `tls` entry that lists the
// host; for a rule host no entry lists, the first Secret of the same Ingress whose certificate
// covers it; the oldest Ingress wins a host. A Secret that is missing, invalid, expired or does not cover the host
// leaves the host on the class's default certificate, with a warning on the Ingress: one bad
// Secret never takes other hosts down. Without a default certificate the host has no certificate
// at all, yet it still asked for TLS: it stays redirected to HTTPS (https-redirect.ts), where the
// handshake fails, rather than be served in plaintext (fail closed); the warning says so. A rule
// host no entry lists asked for TLS too when a certificate of its Ingress names it but is expired
// or not valid yet (it is used when valid: its expiry must not drop the host to plain HTTP); a
// Secret that is missing or cannot be read as a certificate with its key names no host.
import type { V1Ingress } from '../../store/cluster-state.js';
import { objectRef } from '../../store/cluster-state.js';
import type { Severity } from '../../diagnostics/diagnostic.js';
import { compareStrings } from '../../util/compare.js';
import { NGINX_PREFIX } from '../annotations/prefix.js';
import { normalizeHost } from '../hosts.js';
import type { ServableCertificate } from './certificate.js';
import { EXPIRY_WARNING_MS, certificateCovers } from './certificate.js';
import type { RedirectPolicy } from './https-redirect.js';
import type { SecretIndex } from './secret-index.js';

type Reporter = (severity: Severity, message: string) => void;

const SSL_REDIRECT = `${NGINX_PREFIX}ssl-redirect`;

/** What plain HTTP does on an Ingress's paths: its ssl-redirect annotations, and whether it may set them. */
export interface PlainHttpPolicy extends RedirectPolicy {
  /** False when its class ignores the nginx annotations (ssl-redirect "false" would change nothing). */
  canOptOut: boolean;
}

/** The class's default certificate, already checked: its SDS name, or none. */
export interface DefaultCertificate {
  name: string;
  certificate: ServableCertificate;
}

export interface TlsHost {
  /** SDS Secret name (`namespace/name` of the Kubernetes Secret), or the default certificate's. */
  certificate: string;
  /** The host's own certificate (not the default): it gets HSTS. */
  own: boolean;
  origin: string;
}

interface Entry {
  field: string;
  hosts: string[];
  /** `namespace/name`, when the entry names a usable Secret of its namespace. */
  secret?: string;
  certificate?: ServableCertificate;
}

export class TlsHostTable {
  private readonly hosts = new Map<string, TlsHost>();
  /** Hosts an Ingress asked to serve over TLS that got no certificate (the class has no default one), by the first such Ingress. */
  private readonly uncertified = new Map<string, string>();
  /** Own certificates in use, by SDS name, with the Ingresses using them. */
  private readonly used = new Map<string, { certificate: ServableCertificate; origins: Set<string> }>();

  constructor(
    private readonly secrets: SecretIndex,
    private readonly fallback: DefaultCertificate | undefined,
  ) {}

  /**
   * @param ruleHosts the Ingress's rule hosts, already normalised.
   * @param plainHttp the Ingress's redirect annotations, for what its warnings say becomes of plain HTTP.
   */
  offer(ingress: V1Ingress, ruleHosts: readonly string[], report: Reporter, plainHttp: PlainHttpPolicy): void {
    const ref = objectRef('Ingress', ingress.metadata);
    const routed = new Set(ruleHosts);
    const specs = ingress.spec?.tls ?? [];
    const unlisted = this.unlistedHosts(ingress, specs, ruleHosts);
    const coveredBy = (i: number): string[] => [...unlisted].filter(([, j]) => j === i).map(([host]) => host);
    const entries = specs.map((tls, i) => this.readEntry(ingress, tls, `spec.tls[${i}]`, routed, coveredBy(i), plainHttp, report));
    const used = new Set<Entry>();
    for (const entry of entries) {
      for (const host of entry.hosts) {
        if (!routed.has(host)) {
          report('warning', `${entry.field}.hosts: ${host} is not the host of any rule of this Ingress, so this entry gives it no certificate (as in ingress-nginx)`);
          continue;
        }
        if (this.claim(host, entry, ref, plainHttp, report)) used.add(entry);
      }
    }
    // ingress-nginx: a rule host no entry lists still uses an entry's Secret if its certificate covers the host.
    for (const [host, i] of unlisted) {
      const covering = entries[i] as Entry;
      if (this.claim(host, covering, ref, plainHttp, report)) used.add(covering);
    }
    for (const { field, secret, certificate } of used) {
      if (!secret || !certificate || certificate.notAfterMs - this.secrets.now >= EXPIRY_WARNING_MS) continue;
      report('warning', `${field}.secretName: the certificate of Secret ${secret} expires at ${new Date(certificate.notAfterMs).toISOString()}, in less than ${EXPIRY_WARNING_MS / 86_400_000} days`);
    }
  }

  /** Forgets what one Ingress claimed (its translation failed half-way). */
  withdraw(origin: string): void {
    for (const [host, tls] of this.hosts) if (tls.origin === origin) this.hosts.delete(host);
    for (const [host, asker] of this.uncertified) if (asker === origin) this.uncertified.delete(host);
    for (const [name, use] of this.used) {
      use.origins.delete(origin);
      if (use.origins.size === 0) this.used.delete(name);
    }
  }

  tlsHost(host: string): TlsHost | undefined {
    return this.hosts.get(host);
  }

  /**
   * The host asked for TLS (its Ingress lists it in spec.tls) but has no certificate, own or
   * default: it is not served over HTTPS, and must not be served in plaintext instead.
   */
  requestedWithoutCertificate(host: string): boolean {
    return !this.hosts.has(host) && this.uncertified.has(host);
  }

  /** Own certificates in use, sorted by SDS name. */
  certificates(): { name: string; certificate: ServableCertificate; origins: string[] }[] {
    return [...this.used.keys()].sort(compareStrings).map((name) => {
      const use = this.used.get(name) as { certificate: ServableCertificate; origins: Set<string> };
      return { name, certificate: use.certificate, origins: [`Secret ${name}`, ...[...use.origins].sort(compareStrings)] };
    });
  }

  /** Hosts served with each own certificate (for SNI), sorted. */
  hostsByCertificate(): Map<string, string[]> {
    const byCertificate = new Map<string, string[]>();
    for (const host of [...this.hosts.keys()].sort(compareStrings)) {
      const tls = this.hosts.get(host) as TlsHost;
      if (!tls.own) continue;
      byCertificate.set(tls.certificate, [...(byCertificate.get(tls.certificate) ?? []), host]);
    }
    return byCertificate;
  }

  /**
   * The rule hosts no entry lists that an entry's certificate names, with that entry's index: the
   * first entry whose usable certificate names the host, else the first whose certificate names it
   * but is outside its validity period (the host then asked for TLS: it gets the default
   * certificate, or fails closed, as a listed host with that Secret would). Reports nothing.
   */
  private unlistedHosts(ingress: V1Ingress, specs: readonly { hosts?: string[]; secretName?: string }[], ruleHosts: readonly string[]): Map<string, number> {
    const listed = new Set(specs.flatMap((tls) => (tls.hosts ?? []).flatMap((raw) => {
      const host = normalizeHost(raw);
      return 'error' in host ? [] : [host.host];
    })));
    const namespace = ingress.metadata?.namespace ?? 'default';
    const checks = specs.map(({ secretName }) => (secretName && !secretName.includes('/') ? this.secrets.certificate(`${namespace}/${secretName}`) : undefined));
    const unlisted = new Map<string, number>();
    for (const host of ruleHosts) {
      if (listed.has(host) || host === '*') continue;
      let i = checks.findIndex((check) => check?.ok === true && certificateCovers(check.certificate.dnsNames, host));
      if (i < 0) i = checks.findIndex((check) => check?.ok === false && check.dnsNames !== undefined && certificateCovers(check.dnsNames, host));
      if (i >= 0) unlisted.set(host, i);
    }
    return unlisted;
  }

  /** @param covered rule hosts no entry lists that this entry's certificate names (unlistedHosts). */
  private readEntry(ingress: V1Ingress, tls: { hosts?: string[]; secretName?: string }, field: string, routed: ReadonlySet<string>, covered: readonly string[], plainHttp: PlainHttpPolicy, report: Reporter): Entry {
    const hosts: string[] = [];
    (tls.hosts ?? []).forEach((raw, j) => {
      const host = normalizeHost(raw);
      if ('error' in host) return report('error', `${field}.hosts[${j}]: ${host.error}; this host gets no certificate`);
      if (host.host === '*') return report('error', `${field}.hosts[${j}]: must name a host`);
      hosts.push(host.host);
    });
    const secretName = tls.secretName ?? '';
    const namespace = ingress.metadata?.namespace ?? 'default';
    // The hosts whose certificate this entry decides: its Ingress routes them (listed, or named by
    // its certificate) and no older one has taken them.
    const deciding = [...hosts.filter((host) => routed.has(host)), ...covered].filter((host) => !this.hosts.has(host));
    if (secretName === '') {
      if (hosts.length > 0 && !this.fallback) report('warning', `${field}: no secretName${this.fallbackNote(deciding, plainHttp, 'the entry names a Secret')}`);
      return { field, hosts };
    }
    if (secretName.includes('/')) {
      report('error', `${field}.secretName: ${JSON.stringify(secretName)} names a Secret in another namespace; an Ingress may only use Secrets of its own namespace (${namespace})${this.fallbackNote(deciding, plainHttp, `secretName names a Secret of ${namespace}`)}`);
      return { field, hosts };
    }
    const secret = `${namespace}/${secretName}`;
    const check = this.secrets.certificate(secret);
    if (!check.ok) {
      report('warning', `${field}.secretName: Secret ${secret} ${check.problem}${this.fallbackNote(deciding, plainHttp)}`);
      return { field, hosts };
    }
    return { field, hosts, secret, certificate: check.certificate };
  }

  /** True when the host now uses the entry's own certificate. */
  private claim(host: string, entry: Entry, origin: string, plainHttp: PlainHttpPolicy, report: Reporter): boolean {
    const taken = this.hosts.get(host);
    if (taken) {
      if (taken.origin !== origin) report('warning', `${entry.field}: host ${host} takes its certificate from ${taken.origin}, which is older; this entry is not used for it`);
      return false;
    }
    const { secret, certificate } = entry;
    if (secret && certificate) {
      if (certificateCovers(certificate.dnsNames, host)) {
        this.hosts.set(host, { certificate: secret, own: true, origin });
        const use = this.used.get(secret) ?? { certificate, origins: new Set<string>() };
        use.origins.add(origin);
        this.used.set(secret, use);
        return true;
      }
      report('warning', `${entry.field}.secretName: the certificate of Secret ${secret} does not name host ${host} (its names: ${certificate.dnsNames.join(', ') || 'none'})${this.fallbackNote([host], plainHttp)}`);
    }
    if (this.fallback) this.hosts.set(host, { certificate: this.fallback.name, own: false, origin });
    else if (!this.uncertified.has(host)) this.uncertified.set(host, origin);
    return false;
  }

  /** What becomes of hosts whose certificate cannot be used, for the warning; '' for none. Says nothing of the Secret's data. */
  private fallbackNote(hosts: readonly string[], plainHttp: PlainHttpPolicy, until = 'the Secret is fixed'): string {
    if (hosts.length === 0) return '';
    const which = hosts.join(', ');
    if (this.fallback) return `; ${which} ${hosts.length === 1 ? 'uses' : 'use'} the class's default certificate`;
    const noDefault = '; the class has no default certificate, so';
    if (plainHttp.forceSslRedirect) return `${noDefault} plain-HTTP requests for ${which} are redirected to HTTPS (force-ssl-redirect), which fails until ${until}`;
    if (!plainHttp.sslRedirect) return `${noDefault} HTTPS to ${which} fails until ${until}, and this Ingress's paths there are served over plain HTTP (${SSL_REDIRECT}: "false")`;
    const optOut = plainHttp.canOptOut ? ` (set ${SSL_REDIRECT}: "false" on this Ingress to serve ${hosts.length === 1 ? 'it' : 'them'} over plain HTTP meanwhile)` : '';
    return `${noDefault} plain-HTTP requests for ${which} are redirected to HTTPS, which fails until ${until}${optOut}`;
  }
}
