// The bootstrap a proxyless gRPC client reads (GRPC_XDS_BOOTSTRAP=file or
// GRPC_XDS_BOOTSTRAP_CONFIG=json). gRPC xDS clients speak SotW ADS only and insist on a node
// locality. With `anyHost`, every target resolves through Portico's any-host listener, so a host
// without its own rule falls back to the catch-all exactly as Envoy does.
import type { XdsAddress } from './xds-address.js';
import type { XdsClientTls } from './xds-tls.js';

/**
 * The Listener every target resolves through with `anyHost`: the operator's gRPC view
 * (operator/src/envoy/grpc-view/) names its any-host API listener so.
 */
export const ANY_HOST_LISTENER = 'portico:any-host';

export interface GrpcBootstrapOptions {
  fleet: string;
  xds: XdsAddress;
  nodeId: string;
  anyHost?: boolean;
  /**
   * Mutual TLS with the fleet's client Secret mounted at tls.tlsDir: channel_creds "tls" of gRFC
   * A65 (grpc-go, grpc-java and C-core read it). @grpc/grpc-js-xds 1.14 accepts only "insecure"
   * and "google_default" (its xds-bootstrap.js) and refuses this bootstrap: Node clients use
   * `false` and reach Portico through a TLS tunnel (docs/xds.md, "Trust").
   */
  tls: XdsClientTls | false;
}

interface ChannelCreds {
  type: string;
  config?: Record<string, string>;
}

export interface GrpcBootstrap {
  xds_servers: { server_uri: string; channel_creds: ChannelCreds[]; server_features: string[] }[];
  node: { id: string; cluster: string; locality: Record<string, string>; metadata: Record<string, string> };
  client_default_listener_resource_name_template?: string;
}

export function grpcBootstrap(options: GrpcBootstrapOptions): GrpcBootstrap {
  const host = options.xds.host.includes(':') ? `[${options.xds.host}]` : options.xds.host;
  return {
    xds_servers: [{ server_uri: `${host}:${options.xds.port}`, channel_creds: [channelCreds(options.tls)], server_features: [] }],
    node: { id: options.nodeId, cluster: options.fleet, locality: {}, metadata: {} },
    ...(options.anyHost ? { client_default_listener_resource_name_template: ANY_HOST_LISTENER } : {}),
  };
}

function channelCreds(tls: XdsClientTls | false): ChannelCreds {
  if (!tls) return { type: 'insecure' };
  return {
    type: 'tls',
    // The file-watcher provider's fields (gRFC A29); re-read every minute, so a renewed Secret is used.
    config: { certificate_file: `${tls.tlsDir}/tls.crt`, private_key_file: `${tls.tlsDir}/tls.key`, ca_certificate_file: `${tls.tlsDir}/ca.crt`, refresh_interval: '60s' },
  };
}
