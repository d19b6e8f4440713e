// The validating admission webhook as cluster mode starts it: TLS from the operator's CA, the
// HTTPS endpoint, and the leader's caBundle upkeep. Decision 0012; docs/install.md "Admission".
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../observability/src/index.js';
import type { ReviewContext } from './admission-review.js';
import { AdmissionIdentity } from './admission-identity.js';
import { WebhookServer } from './webhook-server.js';

export interface AdmissionOptions {
  /** host:port of the webhook's HTTPS listener, e.g. 0.0.0.0:9443. */
  address: string;
  /** The operator's namespace: where Secret portico-xds-ca is. */
  namespace: string;
  /** The CA Secret there (portico-xds-ca unless the install gives its Secrets another prefix). */
  caSecret?: string;
  /** DNS names (and IPs) on the webhook's certificate. */
  serverNames: string[];
  /** The ValidatingWebhookConfiguration the leader writes the caBundle of. */
  webhookConfiguration: string;
  checkEveryMs?: number;
}

export interface Admission {
  port: number;
  caCertificate(): string;
  stop(): Promise<void>;
}

export async function startAdmission(options: AdmissionOptions, context: { kc: KubeConfig; logger: Logger; isLeader: () => boolean; review: () => ReviewContext }): Promise<Admission> {
  // The identity hands over certificates from its start on; the server exists only after it.
  const serving: { server?: WebhookServer } = {};
  const identity = await AdmissionIdentity.start({
    kc: context.kc,
    namespace: options.namespace,
    ...(options.caSecret ? { caSecret: options.caSecret } : {}),
    serverNames: options.serverNames,
    webhookConfiguration: options.webhookConfiguration,
    isLeader: context.isLeader,
    logger: context.logger,
    onCertificate: (pair) => serving.server?.setCertificate(pair.cert, pair.key),
    ...(options.checkEveryMs === undefined ? {} : { checkEveryMs: options.checkEveryMs }),
  });
  const pair = identity.certificate;
  const server = new WebhookServer({ logger: context.logger, cert: pair.cert, key: pair.key, context: context.review });
  serving.server = server;
  try {
    const port = await server.listen(options.address);
    context.logger.info('admission.serving', { address: options.address, port, serverNames: options.serverNames, webhookConfiguration: options.webhookConfiguration });
    return {
      port,
      caCertificate: () => identity.caCertificate,
      stop: async () => {
        await identity.stop();
        await server.close();
      },
    };
  } catch (error) {
    await identity.stop();
    throw error;
  }
}
