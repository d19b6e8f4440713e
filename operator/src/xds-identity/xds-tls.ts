// Where `portico serve` takes the xDS port's TLS from (docs/xds.md, "Trust"):
//  - ca-secret (cluster default): the operator's own CA in a Secret of its namespace
//    (cluster-identity.ts);
//  - files: tls.crt, tls.key, ca.crt in a folder, e.g. a cert-manager Certificate's Secret mounted
//    there; reloaded when they change; client certificates are then the user's to issue;
//  - plaintext: no TLS and no client authentication (standalone on loopback; or by explicit choice).
import type { KubeConfig } from '@kubernetes/client-node';
import type { CertificateExpiry, TlsSource } from '../../../xds-server/src/index.js';
import type { Logger } from '../../../observability/src/index.js';
import { FileTlsSource } from '../../../xds-server/src/index.js';
import { ClusterIdentity } from './cluster-identity.js';

export type XdsTlsMode =
  | { kind: 'plaintext' }
  | { kind: 'files'; dir: string }
  | { kind: 'ca-secret'; namespace: string; serverNames: string[]; checkEveryMs?: number; secretPrefix?: string };

export interface XdsTls {
  source?: TlsSource;
  stop(): Promise<void>;
}

export interface XdsTlsContext {
  logger: Logger;
  /** Cluster mode only. */
  kc?: KubeConfig;
  fleetsToIssue?: () => string[] | undefined;
  expiry?: () => CertificateExpiry;
}

export async function startXdsTls(mode: XdsTlsMode, context: XdsTlsContext): Promise<XdsTls> {
  switch (mode.kind) {
    case 'plaintext':
      return { stop: async () => undefined };
    case 'files': {
      const source = new FileTlsSource(mode.dir);
      context.logger.info('xds_identity.files', { dir: mode.dir, hint: 'client certificates need a URI SAN spiffe://portico/fleet/<fleet> from a CA in ca.crt' });
      return { source, stop: async () => source.close() };
    }
    case 'ca-secret': {
      if (!context.kc || !context.expiry || !context.fleetsToIssue) throw new Error('the xDS CA Secret needs cluster mode');
      const identity = await ClusterIdentity.start({
        kc: context.kc,
        namespace: mode.namespace,
        serverNames: mode.serverNames,
        logger: context.logger,
        expiry: context.expiry,
        fleetsToIssue: context.fleetsToIssue,
        ...(mode.checkEveryMs === undefined ? {} : { checkEveryMs: mode.checkEveryMs }),
        ...(mode.secretPrefix === undefined ? {} : { secretPrefix: mode.secretPrefix }),
      });
      return { source: identity.tls, stop: () => identity.stop() };
    }
  }
}
