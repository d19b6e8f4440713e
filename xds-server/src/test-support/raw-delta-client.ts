// A bare Delta ADS client for protocol tests (and benchmarks): sends exactly the
// DeltaDiscoveryRequests a test writes and hands back every DeltaDiscoveryResponse decoded.
import * as grpc from '@grpc/grpc-js';
import type { ClientTransport } from './tls-fixtures.js';
import type { Node } from '../generated/envoy/config/core/v3/Node.js';
import type { DeltaDiscoveryRequest } from '../generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';
import { decodeMessage, messageType, typeUrlOf } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { ResponseInbox } from './response-inbox.js';
import { DELTA_AGGREGATED_RESOURCES, encodeDeltaDiscoveryRequest } from '../server/ads-service.js';

export interface DeltaReceivedResource {
  name: string;
  version: string;
  typeUrl: string;
  /** The resource in proto-loader object form (empty when decoding is off). */
  object: Record<string, unknown>;
}

export interface DeltaReceivedResponse {
  systemVersionInfo: string;
  typeUrl: string;
  nonce: string;
  controlPlane: string;
  resources: DeltaReceivedResource[];
  removed: string[];
  bytes: Buffer;
}

interface RawResponse {
  system_version_info?: string;
  type_url?: string;
  nonce?: string;
  control_plane?: { identifier?: string };
  removed_resources: string[];
  resources: { name?: string; version?: string; resource?: { type_url: string; value: Buffer } }[];
}

export class RawDeltaClient {
  private readonly inbox = new ResponseInbox<DeltaReceivedResponse>();
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Buffer, DeltaReceivedResponse>;
  private nodeSent = false;
  status?: grpc.StatusObject;
  readonly ended: Promise<grpc.StatusObject>;
  /** Every response that arrived, read or not. */
  responsesReceived = 0;

  constructor(
    address: string,
    private readonly node: Node,
    private readonly decodeResources = true,
    /** TLS credentials (test-support/tls-fixtures.ts) and the name to verify; plain text by default. */
    transport: ClientTransport = {},
  ) {
    // A connection of its own, like an Envoy: grpc-js would otherwise put every client of the
    // process on one connection, where the server's max_concurrent_streams would queue them.
    this.client = new grpc.Client(address, transport.credentials ?? grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1, ...transport.options });
    this.call = this.client.makeBidiStreamRequest(DELTA_AGGREGATED_RESOURCES, (bytes: Buffer) => bytes, (bytes: Buffer) => this.decode(bytes));
    this.call.on('data', (response: DeltaReceivedResponse) => {
      this.responsesReceived += 1;
      this.inbox.deliver(response);
    });
    this.ended = new Promise((resolve) => {
      this.call.on('status', (status: grpc.StatusObject) => {
        this.status = status;
        this.inbox.fail(new Error(`stream ended: ${status.code} ${status.details}`));
        resolve(status);
      });
    });
    this.call.on('error', () => undefined);
  }

  /** Sends a request; the node goes on the first one only. */
  send(request: DeltaDiscoveryRequest): void {
    const withNode = this.nodeSent ? request : { ...request, node: this.node };
    this.nodeSent = true;
    this.call.write(encodeDeltaDiscoveryRequest(withNode));
  }

  subscribe(kind: ResourceKind, subscribe: string[] = [], unsubscribe: string[] = [], initialVersions?: Record<string, string>): void {
    this.send({
      type_url: typeUrlOf(kind),
      resource_names_subscribe: subscribe,
      resource_names_unsubscribe: unsubscribe,
      ...(initialVersions ? { initial_resource_versions: initialVersions } : {}),
    });
  }

  ack(response: DeltaReceivedResponse): void {
    this.send({ type_url: response.typeUrl, response_nonce: response.nonce });
  }

  nack(response: DeltaReceivedResponse, message: string): void {
    this.send({ type_url: response.typeUrl, response_nonce: response.nonce, error_detail: { code: grpc.status.INTERNAL, message } });
  }

  /** The next response not yet consumed (of one type, when given). */
  next(kind?: ResourceKind, timeoutMs = 2_000): Promise<DeltaReceivedResponse> {
    return this.inbox.next(kind, timeoutMs);
  }

  /** Resolves true when no response (of this type) arrives within `ms`. */
  quietFor(ms: number, kind?: ResourceKind): Promise<boolean> {
    return this.inbox.quietFor(ms, kind);
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }


  private decode(bytes: Buffer): DeltaReceivedResponse {
    const type = messageType('envoy.service.discovery.v3.DeltaDiscoveryResponse');
    const message = type.toObject(type.decode(bytes), { longs: String, enums: String, arrays: true }) as RawResponse;
    const resources = message.resources.map((resource) => {
      const typeUrl = resource.resource?.type_url ?? '';
      const fullName = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
      const object = this.decodeResources && resource.resource ? decodeMessage(fullName, resource.resource.value) : {};
      return { name: resource.name ?? '', version: resource.version ?? '', typeUrl, object };
    });
    return {
      systemVersionInfo: message.system_version_info ?? '',
      typeUrl: message.type_url ?? '',
      nonce: message.nonce ?? '',
      controlPlane: message.control_plane?.identifier ?? '',
      resources,
      removed: message.removed_resources,
      bytes,
    };
  }
}
