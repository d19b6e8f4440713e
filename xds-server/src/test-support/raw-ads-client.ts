// A bare ADS client for protocol tests and benchmarks: sends exactly the DiscoveryRequests a test
// writes and hands back every DiscoveryResponse decoded, so a test can act as Envoy (wildcard
// LDS/CDS) or as a gRPC client (named subscriptions) and misbehave on purpose.
import * as grpc from '@grpc/grpc-js';
import type { ClientTransport } from './tls-fixtures.js';
import type { Node } from '../generated/envoy/config/core/v3/Node.js';
import type { DiscoveryRequest } from '../generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import { decodeMessage, messageType, typeUrlOf } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { ResponseInbox } from './response-inbox.js';
import { STREAM_AGGREGATED_RESOURCES, encodeDiscoveryRequest } from '../server/ads-service.js';

export interface ReceivedResource {
  name: string;
  typeUrl: string;
  /** The resource in proto-loader object form. */
  object: Record<string, unknown>;
}

export interface ReceivedResponse {
  versionInfo: string;
  typeUrl: string;
  nonce: string;
  controlPlane: string;
  resources: ReceivedResource[];
  /** The raw bytes, for byte-identity checks. */
  bytes: Buffer;
}

export class RawAdsClient {
  private readonly inbox = new ResponseInbox<ReceivedResponse>();
  private readonly client: grpc.Client;
  private readonly call: grpc.ClientDuplexStream<Buffer, ReceivedResponse>;
  private nodeSent = false;
  status?: grpc.StatusObject;
  readonly ended: Promise<grpc.StatusObject>;
  /** Every response that arrived, read or not. */
  responsesReceived = 0;

  constructor(
    address: string,
    private readonly node: Node,
    /** Decode resource bodies (tests) or skip that cost (benchmarks). */
    private readonly decodeResources = true,
    /** TLS credentials (test-support/tls-fixtures.ts) and the name to verify; plain text by default. */
    transport: ClientTransport = {},
  ) {
    // A connection of its own, like an Envoy: grpc-js would otherwise put every client of the
    // process on one connection, where the server's max_concurrent_streams would queue them.
    this.client = new grpc.Client(address, transport.credentials ?? grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1, ...transport.options });
    this.call = this.client.makeBidiStreamRequest(STREAM_AGGREGATED_RESOURCES, (bytes: Buffer) => bytes, (bytes: Buffer) => this.decode(bytes));
    this.call.on('data', (response: ReceivedResponse) => {
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

  /** Sends a request; the node goes on the first one only, as gRPC clients do. */
  send(request: DiscoveryRequest): void {
    const withNode = this.nodeSent ? request : { ...request, node: this.node };
    this.nodeSent = true;
    this.call.write(encodeDiscoveryRequest(withNode));
  }

  subscribe(kind: ResourceKind, names: string[] = [], previous?: ReceivedResponse): void {
    this.send({
      type_url: typeUrlOf(kind),
      resource_names: names,
      ...(previous ? { version_info: previous.versionInfo, response_nonce: previous.nonce } : {}),
    });
  }

  ack(response: ReceivedResponse, names: string[] = []): void {
    this.send({ type_url: response.typeUrl, resource_names: names, version_info: response.versionInfo, response_nonce: response.nonce });
  }

  nack(response: ReceivedResponse, message: string, names: string[] = [], keptVersion = ''): void {
    this.send({
      type_url: response.typeUrl,
      resource_names: names,
      version_info: keptVersion,
      response_nonce: response.nonce,
      error_detail: { code: grpc.status.INTERNAL, message },
    });
  }

  /** The next response not yet consumed (of one type, when given). */
  next(kind?: ResourceKind, timeoutMs = 2_000): Promise<ReceivedResponse> {
    return this.inbox.next(kind, timeoutMs);
  }

  /** Resolves true when no response (of this type) arrives within `ms`. */
  quietFor(ms: number, kind?: ResourceKind): Promise<boolean> {
    return this.inbox.quietFor(ms, kind);
  }

  /** Stops reading: HTTP/2 flow control then pushes back on the server, like a stuck client. */
  pause(): void {
    this.call.pause();
  }

  resume(): void {
    this.call.resume();
  }

  get pendingCount(): number {
    return this.inbox.unreadCount;
  }

  close(): void {
    this.call.cancel();
    this.client.close();
  }


  private decode(bytes: Buffer): ReceivedResponse {
    const type = messageType('envoy.service.discovery.v3.DiscoveryResponse');
    const message = type.toObject(type.decode(bytes), { longs: String, enums: String, arrays: true }) as {
      version_info?: string;
      type_url?: string;
      nonce?: string;
      control_plane?: { identifier?: string };
      resources: { type_url: string; value: Buffer }[];
    };
    const resources = message.resources.map((any) => {
      const fullName = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
      const object = this.decodeResources ? decodeMessage(fullName, any.value) : {};
      const name = String(object['name'] ?? object['cluster_name'] ?? '');
      return { name, typeUrl: any.type_url, object };
    });
    return {
      versionInfo: message.version_info ?? '',
      typeUrl: message.type_url ?? '',
      nonce: message.nonce ?? '',
      controlPlane: message.control_plane?.identifier ?? '',
      resources,
      bytes,
    };
  }
}
