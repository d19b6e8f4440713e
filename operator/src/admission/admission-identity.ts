// The webhook's TLS, from the operator's own CA (Secret portico-xds-ca, docs/xds.md "Trust"):
//  - each replica issues its own server certificate in memory for the webhook Service's names,
//    re-issued at two thirds of its life or when the CA changes (as the xDS server certificate);
//  - the Lease holder keeps the ValidatingWebhookConfiguration's caBundle equal to the CA
//    certificate (get and patch on that one object; config/rbac/admission-role.yaml).
// The CA Secret is read (and created when missing, as the xDS identity does) whatever the xDS
// channel's TLS mode, so --xds-tls-dir installs get a working webhook too.
import type { KubeConfig } from '@kubernetes/client-node';
import type { KeyPair } from '../../../xds-server/src/index.js';
import type { Logger } from '../../../observability/src/index.js';
import { issueServerCertificate, needsRenewal } from '../../../xds-server/src/index.js';
import { KubeHttpError, requestJson } from '../kube/kube-http.js';
import { CA_SECRET, loadOrCreateCa } from '../xds-identity/cluster-identity.js';
import { SecretClient, encode } from '../xds-identity/secrets.js';
import { certificateNames } from '../xds-identity/server-names.js';
import { Rounds } from '../util/rounds.js';


export interface AdmissionIdentityOptions {
  kc: KubeConfig;
  namespace: string;
  /** The CA Secret of that namespace (the xDS channel's, portico-xds-ca by default). */
  caSecret?: string;
  /** Names on the webhook's certificate: the webhook Service's DNS names (and loopback). */
  serverNames: string[];
  /** The ValidatingWebhookConfiguration whose caBundle the leader keeps. */
  webhookConfiguration: string;
  isLeader: () => boolean;
  logger: Logger;
  /** A new server certificate to serve. */
  onCertificate: (pair: KeyPair) => void;
  /** How often leadership and the caBundle are looked at (2 s), and the CA re-read (60 s). */
  checkEveryMs?: number;
  roundEveryMs?: number;
}

export class AdmissionIdentity {
  private readonly secrets: SecretClient;
  private readonly rounds = new Rounds((signal) => this.round(signal));
  private lastBundleAttempt = 0;
  /** The CA certificate the webhook configuration is known to carry. */
  private bundled?: string;
  private missingLogged = false;

  private constructor(
    private readonly options: AdmissionIdentityOptions,
    private ca: KeyPair,
    private server: KeyPair,
  ) {
    this.secrets = new SecretClient(options.kc, options.namespace);
  }

  static async start(options: AdmissionIdentityOptions): Promise<AdmissionIdentity> {
    const secrets = new SecretClient(options.kc, options.namespace);
    const ca = await loadOrCreateCa(secrets, options.caSecret ?? CA_SECRET, options.logger, AbortSignal.timeout(30_000));
    const server = await issueServerCertificate(ca, certificateNames(options.serverNames));
    const identity = new AdmissionIdentity(options, ca, server);
    options.onCertificate(server);
    identity.rounds.start(options.checkEveryMs ?? 2_000, () => identity.due());
    return identity;
  }

  get certificate(): KeyPair {
    return this.server;
  }

  get caCertificate(): string {
    return this.ca.cert;
  }

  private due(): boolean {
    const bundleDue = this.options.isLeader() && this.bundled !== this.ca.cert && Date.now() - this.lastBundleAttempt >= 10_000;
    return bundleDue || this.rounds.sinceLast >= (this.options.roundEveryMs ?? 60_000);
  }

  /** One round now: re-read the CA, renew the certificate when due, and (leader) the caBundle. */
  tick(): Promise<void> {
    return this.rounds.now();
  }

  stop(): Promise<void> {
    return this.rounds.stop();
  }

  private async round(signal: AbortSignal): Promise<void> {
    try {
      const ca = await loadOrCreateCa(this.secrets, this.options.caSecret ?? CA_SECRET, this.options.logger, signal);
      if (ca.cert !== this.ca.cert || needsRenewal(this.server.cert)) {
        this.ca = ca;
        this.server = await issueServerCertificate(ca, certificateNames(this.options.serverNames));
        this.options.onCertificate(this.server);
        this.options.logger.info('admission.certificate_issued', { serverNames: this.options.serverNames });
      }
      // A leader re-checks every round too: a re-applied configuration may have lost its caBundle.
      if (this.options.isLeader()) {
        this.lastBundleAttempt = Date.now();
        this.bundled = (await this.keepCaBundle(signal)) ? this.ca.cert : undefined;
      } else {
        this.bundled = undefined;
      }
    } catch (error) {
      if (!this.rounds.isStopped) this.options.logger.error('admission.identity_failed', { error, hint: 'retried in a few seconds; a 403 means config/rbac/admission-role.yaml is missing' });
    }
  }

  /** True when the configuration carries the CA now. */
  private async keepCaBundle(signal: AbortSignal): Promise<boolean> {
    const name = this.options.webhookConfiguration;
    const path = `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${encodeURIComponent(name)}`;
    let current: { webhooks?: Array<{ name: string; clientConfig?: { caBundle?: string } }> };
    try {
      current = (await requestJson(this.options.kc, 'GET', path, signal)) as typeof current;
    } catch (error) {
      if (error instanceof KubeHttpError && error.statusCode === 404) {
        if (!this.missingLogged) this.options.logger.info('admission.webhook_configuration_missing', { name, hint: 'the webhook is served but the API server does not call it (install config/admission/ or the chart\'s admission.enabled)' });
        this.missingLogged = true;
        return false;
      }
      throw error;
    }
    this.missingLogged = false;
    const bundle = encode(this.ca.cert);
    const stale = (current.webhooks ?? []).filter((w) => w.clientConfig?.caBundle !== bundle);
    if (stale.length === 0) return true;
    // Webhooks merge by name (strategic merge patch): only caBundle changes, url or service stay.
    await requestJson(this.options.kc, 'PATCH', path, signal, { webhooks: stale.map((w) => ({ name: w.name, clientConfig: { caBundle: bundle } })) }, 'application/strategic-merge-patch+json');
    this.options.logger.info('admission.ca_bundle_written', { webhookConfiguration: name, webhooks: stale.map((w) => w.name) });
    return true;
  }
}

