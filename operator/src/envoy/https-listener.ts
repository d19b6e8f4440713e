// The fleet's HTTPS listener: the TLS inspector reads SNI, one filter chain per certificate picks
// it by server name, and a chain without a match serves the default certificate. Certificates
// are SDS Secrets named after their Kubernetes Secret, so a rotation is an SDS push that leaves
// this listener (and its connections) alone. Every chain runs the same HttpConnectionManager over
// the one HTTPS route table, so a browser may reuse an HTTP/2 connection across hosts.
import type { DownstreamTlsContext, FilterChain, HttpFilter, Listener } from '../../../xds-server/src/index.js';
import { DOWNSTREAM_TLS_CONTEXT_TYPE, TLS_INSPECTOR_TYPE } from '../../../xds-server/src/index.js';
import type { IrHttpOptions, IrHttps } from '../ir/types.js';
import { BUFFER_LIMIT_BYTES, connectionManagerFilter } from './listener.js';

const TLS_VERSIONS = { '1.2': 'TLSv1_2', '1.3': 'TLSv1_3' } as const;

export function httpsListener(https: IrHttps, http: IrHttpOptions, routeConfigurationName: string, filters: HttpFilter[]): Listener {
  const chain = (name: string, certificate: string, serverNames?: string[]): FilterChain => ({
    name,
    ...(serverNames ? { filter_chain_match: { server_names: serverNames } } : {}),
    transport_socket: { name: 'envoy.transport_sockets.tls', typed_config: { '@type': DOWNSTREAM_TLS_CONTEXT_TYPE, ...tlsContext(https, certificate) } },
    filters: [connectionManagerFilter(https.listener.name, http, routeConfigurationName, filters)],
  });
  const listener: Listener = {
    name: https.listener.name,
    address: { socket_address: { address: https.listener.address, port_value: https.listener.port } },
    per_connection_buffer_limit_bytes: { value: BUFFER_LIMIT_BYTES },
    listener_filters: [{ name: 'envoy.filters.listener.tls_inspector', typed_config: { '@type': TLS_INSPECTOR_TYPE } }],
    filter_chains: https.chains.map((c) => chain(`sni:${c.certificate}`, c.certificate, c.serverNames)),
  };
  // Without a default chain, a client whose SNI names no host finds no chain and Envoy closes the connection.
  if (https.defaultCertificate !== undefined) listener.default_filter_chain = chain('default', https.defaultCertificate);
  return listener;
}

function tlsContext(https: IrHttps, certificate: string): DownstreamTlsContext {
  return {
    common_tls_context: {
      tls_params: {
        tls_minimum_protocol_version: TLS_VERSIONS[https.minimumVersion],
        ...(https.cipherSuites ? { cipher_suites: https.cipherSuites } : {}),
      },
      tls_certificate_sds_secret_configs: [{ name: certificate, sds_config: { ads: {}, resource_api_version: 'V3' } }],
      alpn_protocols: ['h2', 'http/1.1'],
    },
  };
}
