// The bootstrap a proxyless gRPC client reads (GRPC_XDS_BOOTSTRAP=file or
// GRPC_XDS_BOOTSTRAP_CONFIG=json). gRPC xDS clients speak SotW ADS only and insist on a node
// locality. With `anyHost`, every target resolves through Portico's any-host listener, so a host
// without its own rule falls back to the catch-all exactly as Envoy does.
import { ANY_HOST_LISTENER } from '../grpc/api-listeners.js';
import type { XdsAddress } from './xds-address.js';

export interface GrpcBootstrapOptions {
  fleet: string;
  xds: XdsAddress;
  nodeId: string;
  anyHost?: boolean;
}

export interface GrpcBootstrap {
  xds_servers: { server_uri: string; channel_creds: { type: string }[]; server_features: string[] }[];
  node: { id: string; cluster: string; locality: Record<string, string>; metadata: Record<string, string> };
  client_default_listener_resource_name_template?: string;
}

export function grpcBootstrap(options: GrpcBootstrapOptions): GrpcBootstrap {
  const host = options.xds.host.includes(':') ? `[${options.xds.host}]` : options.xds.host;
  return {
    xds_servers: [{ server_uri: `${host}:${options.xds.port}`, channel_creds: [{ type: 'insecure' }], server_features: [] }],
    node: { id: options.nodeId, cluster: options.fleet, locality: {}, metadata: {} },
    ...(options.anyHost ? { client_default_listener_resource_name_template: ANY_HOST_LISTENER } : {}),
  };
}
