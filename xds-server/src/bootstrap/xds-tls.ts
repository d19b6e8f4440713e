// The Envoy side of the xDS channel's mutual TLS: the xDS cluster's UpstreamTlsContext, and the two
// files it reads its certificate and CA from. Envoy cannot get the xDS channel's own certificate
// over xDS (nothing is connected yet), so it uses SDS from files, the pattern Envoy documents for
// this ("certificate rotation for xDS gRPC connection", docs/root/configuration/security/secret.rst):
//  - the SDS files (xds-client-certificate.yaml, xds-trusted-ca.yaml) sit beside the bootstrap,
//    in its ConfigMap, and never change;
//  - they point at tls.crt, tls.key and ca.crt in the fleet's client Secret, mounted at tlsDir,
//    with watched_directory on that folder: the kubelet swaps a Secret volume's files by moving a
//    ..data symlink into it, and that move makes Envoy read the new certificate without a restart.
import { UPSTREAM_TLS_CONTEXT_TYPE } from '../protos/type-urls.js';
import type { XdsAddress } from './xds-address.js';

export const SECRET_TYPE = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret';
export const CLIENT_CERTIFICATE_SECRET = 'portico-xds-client-certificate';
export const TRUSTED_CA_SECRET = 'portico-xds-trusted-ca';

export interface XdsClientTls {
  /** Where the fleet's client Secret (tls.crt, tls.key, ca.crt) is mounted. */
  tlsDir: string;
  /** Where the bootstrap and its two SDS files are (the bootstrap ConfigMap's mount). */
  sdsDir: string;
}

export const XDS_CLIENT_TLS_DEFAULTS: XdsClientTls = { tlsDir: '/etc/portico/xds-tls', sdsDir: '/etc/envoy' };

export const SDS_FILES = { certificate: 'xds-client-certificate.yaml', trustedCa: 'xds-trusted-ca.yaml' } as const;

/** The xDS cluster's transport_socket (proto-loader object form). */
export function xdsTransportSocket(xds: XdsAddress, tls: XdsClientTls): Record<string, unknown> {
  const sds = (name: string, file: string) => ({ name, sds_config: { path_config_source: { path: `${tls.sdsDir}/${file}` }, resource_api_version: 'V3' } });
  return {
    name: 'envoy.transport_sockets.tls',
    typed_config: {
      '@type': UPSTREAM_TLS_CONTEXT_TYPE,
      // SNI names the server Envoy dials; the server's certificate must name it (checked in the CA file).
      ...(xds.isIp ? {} : { sni: xds.host }),
      common_tls_context: {
        // gRPC over TLS negotiates HTTP/2 by ALPN; Portico's server accepts nothing else.
        alpn_protocols: ['h2'],
        tls_certificate_sds_secret_configs: [sds(CLIENT_CERTIFICATE_SECRET, SDS_FILES.certificate)],
        validation_context_sds_secret_config: sds(TRUSTED_CA_SECRET, SDS_FILES.trustedCa),
      },
    },
  };
}

/** The SDS file with the client certificate: a DiscoveryResponse-shaped document of one Secret. */
export function clientCertificateSds(tls: XdsClientTls): { resources: Record<string, unknown>[] } {
  return {
    resources: [
      {
        '@type': SECRET_TYPE,
        name: CLIENT_CERTIFICATE_SECRET,
        tls_certificate: {
          certificate_chain: { filename: `${tls.tlsDir}/tls.crt` },
          private_key: { filename: `${tls.tlsDir}/tls.key` },
          watched_directory: { path: tls.tlsDir },
        },
      },
    ],
  };
}

/** The SDS file with the CA that signed Portico's server certificate, and the name it must carry. */
export function trustedCaSds(xds: XdsAddress, tls: XdsClientTls): { resources: Record<string, unknown>[] } {
  return {
    resources: [
      {
        '@type': SECRET_TYPE,
        name: TRUSTED_CA_SECRET,
        validation_context: {
          trusted_ca: { filename: `${tls.tlsDir}/ca.crt` },
          watched_directory: { path: tls.tlsDir },
          // Envoy checks no name on an upstream certificate unless told to.
          match_typed_subject_alt_names: [{ san_type: xds.isIp ? 'IP_ADDRESS' : 'DNS', matcher: { exact: xds.host } }],
        },
      },
    ],
  };
}
