// Reads what grpc-js-xds clients in this process hold, through their Client Status Discovery
// Service (CSDS): per node, per resource, the client status (ACKED, NACKED, …) and version.
import * as grpc from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadSync } from '@grpc/proto-loader';

const require = createRequire(import.meta.url);

export interface ClientResourceStatus {
  name: string;
  typeUrl: string;
  status: string;
  version: string;
  errorDetails?: string;
}

type ClientConfig = {
  node?: { id?: string };
  generic_xds_configs?: { name: string; type_url: string; client_status: string; version_info: string; error_state?: { details?: string } }[];
};

interface CsdsClient extends grpc.Client {
  FetchClientStatus(request: object, callback: (error: grpc.ServiceError | null, response?: { config?: ClientConfig[] }) => void): void;
}

export class CsdsReader {
  private readonly server = new grpc.Server();
  private client?: CsdsClient;

  async start(): Promise<void> {
    grpc.addAdminServicesToServer(this.server);
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    const deps = join(dirname(require.resolve('@grpc/grpc-js-xds/package.json')), 'deps');
    const definition = loadSync('envoy/service/status/v3/csds.proto', {
      keepCase: true,
      longs: String,
      enums: String,
      defaults: true,
      includeDirs: ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(deps, d)),
    });
    const service = grpc.loadPackageDefinition(definition) as unknown as {
      envoy: { service: { status: { v3: { ClientStatusDiscoveryService: new (address: string, credentials: grpc.ChannelCredentials) => CsdsClient } } } };
    };
    this.client = new service.envoy.service.status.v3.ClientStatusDiscoveryService(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  /** Resource statuses of the client with this node id. */
  async resources(nodeId: string): Promise<ClientResourceStatus[]> {
    const client = this.client;
    if (!client) throw new Error('CsdsReader not started');
    const response = await new Promise<{ config?: ClientConfig[] }>((resolve, reject) =>
      client.FetchClientStatus({}, (error, value) => (error ? reject(error) : resolve(value ?? {}))),
    );
    const config = response.config?.find((c) => c.node?.id === nodeId);
    return (config?.generic_xds_configs ?? []).map((c) => ({
      name: c.name,
      typeUrl: c.type_url,
      status: c.client_status,
      version: c.version_info,
      ...(c.error_state?.details ? { errorDetails: c.error_state.details } : {}),
    }));
  }

  stop(): void {
    this.client?.close();
    this.server.forceShutdown();
  }
}
