// IR certificates → SDS Secrets. The private key is inline: Envoy takes it over the (mTLS) xDS
// channel; every printed form of a fleet redacts it (cli/translation-output.ts).
import type { Secret } from '../../../xds-server/src/index.js';
import type { IrCertificate } from '../ir/types.js';

export function tlsSecret(certificate: IrCertificate): Secret {
  return {
    name: certificate.name,
    tls_certificate: {
      certificate_chain: { inline_string: certificate.certificateChain },
      private_key: { inline_string: certificate.privateKey },
    },
  };
}
