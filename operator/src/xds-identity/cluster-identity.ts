// The xDS channel's certificates in a cluster, with nothing to install first: the operator keeps
// its own CA in a Secret of its namespace (portico-xds-ca), as Contour's certgen and Istio's CA do.
//  - CA: whichever replica finds the Secret missing creates it; a replica that loses the race
//    (409) reads the winner's. Every replica re-reads it every minute, so a CA replaced by an
//    administrator (docs/install.md) is picked up without a restart.
//  - Server certificate: each replica issues its own from the CA, in memory only (its key is
//    never written anywhere), for the Service's names; re-issued at two thirds of its life or
//    when the CA changes, and swapped in for new connections.
//  - Client certificates: the Lease holder keeps one Secret per served fleet,
//    <prefix>-xds-client-<fleet> (portico-xds-client-<fleet> by default; tls.crt, tls.key, ca.crt; URI SAN spiffe://portico/fleet/<fleet>),
//    which that fleet's Envoys mount. Rewritten at two thirds of its life or when the CA changes;
//    Secrets of fleets that went away are left alone (their Envoys may still be running).
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { CertificateExpiry, KeyPair, TlsSource } from '../../../xds-server/src/index.js';
import type { Logger } from '../../../observability/src/index.js';
import { createCa, issueClientCertificate, issueServerCertificate, MutableTlsSource, needsRenewal } from '../../../xds-server/src/index.js';
import { SecretClient, decode, encode } from './secrets.js';
import { certificateNames } from './server-names.js';
import type { SecretObject } from './secrets.js';
import { Rounds } from '../util/rounds.js';

/** What the xDS Secrets' names start with by default; `portico serve --xds-secret-prefix` (the chart: the release name). */
export const DEFAULT_SECRET_PREFIX = 'portico';
export const CA_SECRET = caSecretName(DEFAULT_SECRET_PREFIX);
export const CLIENT_SECRET_PREFIX = `${DEFAULT_SECRET_PREFIX}-xds-client-`;
/** Which CA a client Secret was issued by: a changed CA means issuing again. */
const CA_ANNOTATION = 'portico.dev/xds-ca-fingerprint';
const MANAGED_LABEL = { 'app.kubernetes.io/managed-by': 'portico', 'portico.dev/xds-identity': 'true' };

export interface ClusterIdentityOptions {
  kc: KubeConfig;
  namespace: string;
  /** DNS names clients dial (the Service's), for the server certificate. */
  serverNames: string[];
  /** <prefix>-xds-ca and <prefix>-xds-client-<fleet>: two installs in one namespace use different prefixes. */
  secretPrefix?: string;
  logger: Logger;
  /** Where client Secret expiry series go: the xDS server's. */
  expiry: () => CertificateExpiry;
  /** Fleets that need a client Secret now, or undefined when this replica is not the Lease holder. */
  fleetsToIssue: () => string[] | undefined;
  /** How often the fleet set is looked at (2 s) and the API is asked (60 s). */
  checkEveryMs?: number;
  roundEveryMs?: number;
}

export class ClusterIdentity {
  readonly tls: TlsSource;
  private readonly source: MutableTlsSource;
  private readonly secrets: SecretClient;
  private readonly prefix: string;
  private readonly rounds = new Rounds((signal) => this.round(signal));
  /** The fleets whose Secrets the last round checked, sorted; undefined while not the leader. */
  private lastFleets?: string;

  private constructor(
    private readonly options: ClusterIdentityOptions,
    private ca: KeyPair,
    private server: KeyPair,
  ) {
    this.secrets = new SecretClient(options.kc, options.namespace);
    this.prefix = options.secretPrefix ?? DEFAULT_SECRET_PREFIX;
    this.source = new MutableTlsSource({ ...server, ca: ca.cert });
    this.tls = this.source;
  }

  /** Reads (or creates) the CA and issues this replica's server certificate. */
  static async start(options: ClusterIdentityOptions): Promise<ClusterIdentity> {
    const secrets = new SecretClient(options.kc, options.namespace);
    const caSecret = caSecretName(options.secretPrefix ?? DEFAULT_SECRET_PREFIX);
    const ca = await loadOrCreateCa(secrets, caSecret, options.logger, AbortSignal.timeout(30_000));
    const server = await issueServerCertificate(ca, certificateNames(options.serverNames));
    const identity = new ClusterIdentity(options, ca, server);
    options.logger.info('xds_identity.ready', { namespace: options.namespace, caSecret, serverNames: options.serverNames });
    // Cheap checks often (has the set of fleets changed? then write their Secrets now), API
    // round trips once a minute (a replaced CA, renewals).
    identity.rounds.start(options.checkEveryMs ?? 2_000, () => identity.due());
    return identity;
  }

  private due(): boolean {
    const fleets = this.options.fleetsToIssue();
    const key = fleets === undefined ? undefined : [...fleets].sort().join('\n');
    return (key !== undefined && key !== this.lastFleets) || this.rounds.sinceLast >= (this.options.roundEveryMs ?? 60_000);
  }

  /** One round now: re-read the CA, renew what is due, write missing client Secrets. */
  tick(): Promise<void> {
    return this.rounds.now();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  private async round(signal: AbortSignal): Promise<void> {
    try {
      const ca = await loadOrCreateCa(this.secrets, caSecretName(this.prefix), this.options.logger, signal);
      const caChanged = ca.cert !== this.ca.cert;
      if (caChanged) this.options.logger.warn('xds_identity.ca_changed', { caSecret: caSecretName(this.prefix), hint: 'client certificates are issued again; Envoys pick up the new ca.crt when the kubelet updates their Secret volume' });
      if (caChanged || needsRenewal(this.server.cert)) {
        this.ca = ca;
        this.server = await issueServerCertificate(ca, certificateNames(this.options.serverNames));
        this.source.set({ ...this.server, ca: ca.cert });
      }
      const fleets = this.options.fleetsToIssue();
      for (const fleet of fleets ?? []) {
        // One fleet's failure (a name the API refuses, a conflict) must not stop the others' renewals.
        try {
          await this.keepClientSecret(fleet, signal);
        } catch (error) {
          if (!this.rounds.isStopped) this.options.logger.error('xds_identity.client_secret_failed', { fleet, error, hint: 'retried in a few seconds; the other fleets are not affected' });
        }
      }
      this.lastFleets = fleets === undefined ? undefined : [...fleets].sort().join('\n');
    } catch (error) {
      if (!this.rounds.isStopped) this.options.logger.error('xds_identity.failed', { error, hint: 'retried in a few seconds; if the API server answers 403, check the Role for Secrets in the operator namespace' });
    }
  }

  private async keepClientSecret(fleet: string, signal: AbortSignal): Promise<void> {
    const name = clientSecretName(fleet, this.prefix);
    if (!name) {
      this.options.logger.warn('xds_identity.fleet_name_too_long', { fleet, hint: 'issue this fleet\'s client certificate yourself (URI SAN spiffe://portico/fleet/<fleet>)' });
      return;
    }
    const existing = await this.secrets.get(name, signal);
    const cert = decode(existing?.data?.['tls.crt']);
    const fingerprint = caFingerprint(this.ca.cert);
    if (existing && cert && existing.metadata.annotations?.[CA_ANNOTATION] === fingerprint && !needsRenewal(cert)) {
      this.options.expiry().set({ certificate: 'client', fleet }, cert);
      return;
    }
    const issued = await issueClientCertificate(this.ca, { fleets: [fleet] });
    const secret: SecretObject = {
      metadata: {
        name,
        namespace: this.options.namespace,
        labels: { ...MANAGED_LABEL, 'portico.dev/fleet': fleetLabel(fleet) },
        annotations: { [CA_ANNOTATION]: fingerprint, 'portico.dev/fleet': fleet },
        ...(existing?.metadata.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
      },
      type: 'kubernetes.io/tls',
      data: { 'tls.crt': encode(issued.cert), 'tls.key': encode(issued.key), 'ca.crt': encode(this.ca.cert) },
    };
    const written = existing ? await this.secrets.replace(secret, signal) : await this.secrets.create(secret, signal);
    if (!written) return; // someone else wrote it meanwhile: look again next round
    this.options.expiry().set({ certificate: 'client', fleet }, issued.cert);
    this.options.logger.info('xds_identity.client_secret_written', { fleet, secret: `${this.options.namespace}/${name}`, reason: existing ? 'renewed' : 'created' });
  }
}

/** A label value names the fleet when it fits (63 characters); else a digest of it, which always does. */
export function fleetLabel(fleet: string): string {
  return fleet.length <= 63 ? fleet : `sha256-${createHash('sha256').update(fleet).digest('hex').slice(0, 32)}`;
}

export function caSecretName(prefix: string): string {
  return `${prefix}-xds-ca`;
}

/** <prefix>-xds-client-<fleet> (portico-xds-client-<fleet>), or undefined when that is longer than a Secret name may be. */
export function clientSecretName(fleet: string, prefix: string = DEFAULT_SECRET_PREFIX): string | undefined {
  const name = `${prefix}-xds-client-${fleet}`;
  return name.length <= 253 ? name : undefined;
}

/** The CA in `caSecret`, made and stored first if missing (the first replica, or the webhook, to look makes it). */
export async function loadOrCreateCa(secrets: SecretClient, caSecret: string, logger: Logger, signal: AbortSignal): Promise<KeyPair> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = await secrets.get(caSecret, signal);
    if (existing) {
      const cert = decode(existing.data?.['tls.crt']);
      const key = decode(existing.data?.['tls.key']);
      if (!cert || !key) throw new Error(`Secret ${secrets.namespace}/${caSecret} has no tls.crt or tls.key: delete it to have a new CA made, or fill it with your own CA`);
      return { cert, key };
    }
    const ca = await createCa(`Portico xDS CA (${secrets.namespace})`);
    const created = await secrets.create(
      {
        metadata: { name: caSecret, namespace: secrets.namespace, labels: MANAGED_LABEL },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': encode(ca.cert), 'tls.key': encode(ca.key), 'ca.crt': encode(ca.cert) },
      },
      signal,
    );
    if (created) {
      logger.info('xds_identity.ca_created', { secret: `${secrets.namespace}/${caSecret}` });
      return ca;
    }
    // Another replica created it first: use theirs.
  }
  throw new Error(`could not read or create Secret ${secrets.namespace}/${caSecret}`);
}

function caFingerprint(pem: string): string {
  return createHash('sha256').update(pem.replace(/\s+/g, '')).digest('hex').slice(0, 32);
}
