// One simulated Envoy: an ADS stream that subscribes like Envoy (wildcard CDS and LDS, then EDS for
// the EDS clusters and RDS for the route names the listeners reference), ACKs every response, and
// records when each response arrived and how big it was. The protocol (state of the world or
// incremental) is a parameter; both speak the same AggregatedDiscoveryService. Over Delta, a route
// configuration with vhds set gets its virtual hosts over VHDS, as Envoy's VhdsSubscription does:
// one VirtualHost subscription per route configuration, named after it (a namespace: every
// VirtualHost named `<route configuration>/...`).
import * as grpc from '@grpc/grpc-js';
import { TYPE, encodeDeltaRequest, encodeSotwRequest, readDeltaResponse, readSotwResponse } from './wire.js';
import type { NodeInfo, ResponseSummary } from './wire.js';

export type Protocol = 'sotw' | 'delta';

const SOTW_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources';
const DELTA_METHOD = '/envoy.service.discovery.v3.AggregatedDiscoveryService/DeltaAggregatedResources';

/** What the fleet measures: the latest arrival and total bytes since the last mark. */
export interface ClientWindow {
  responses: number;
  /** Responses carrying routes (RDS, or VHDS for Delta): what a single-Ingress edit changes. */
  routeResponses: number;
  bytes: number;
  /** process.hrtime (CLOCK_MONOTONIC, shared by all processes), ms, of the last ACK sent. */
  lastAckMs: number;
}

export class FleetClient {
  readonly window: ClientWindow = { responses: 0, routeResponses: 0, bytes: 0, lastAckMs: 0 };
  /** Types that have been answered (and ACKed) at least once. */
  readonly answered = new Set<string>();
  readonly wanted = new Set<string>([TYPE.cluster, TYPE.listener]);
  nacks = 0;
  status: grpc.StatusObject | undefined;
  private readonly call: grpc.ClientDuplexStream<Buffer, ResponseSummary>;
  private readonly names = new Map<string, string[]>();
  /** Per type, what the next SotW request must echo (not the whole summary: its name lists are large). */
  private readonly last = new Map<string, { versionInfo: string; nonce: string }>();
  /** Delta: route configurations whose VirtualHost namespace it subscribed to. */
  private readonly vhdsNamespaces = new Set<string>();
  private nodeSent = false;

  constructor(
    private readonly node: NodeInfo,
    private readonly protocol: Protocol,
    private readonly client: grpc.Client,
  ) {
    const method = protocol === 'sotw' ? SOTW_METHOD : DELTA_METHOD;
    const read = protocol === 'sotw' ? readSotwResponse : readDeltaResponse;
    this.call = client.makeBidiStreamRequest(method, (b: Buffer) => b, read);
    this.call.on('data', (response: ResponseSummary) => this.onResponse(response));
    this.call.on('status', (status: grpc.StatusObject) => { this.status = status; });
    this.call.on('error', () => undefined);
    this.request(TYPE.cluster, []);
    this.request(TYPE.listener, []);
  }

  mark(): void {
    this.window.responses = 0;
    this.window.routeResponses = 0;
    this.window.bytes = 0;
    this.window.lastAckMs = 0;
  }

  /** Every type it subscribed to has been answered. */
  get ready(): boolean {
    for (const type of this.wanted) if (!this.answered.has(type)) return false;
    return true;
  }

  close(): void {
    this.call.cancel();
  }

  private onResponse(response: ResponseSummary): void {
    this.window.responses++;
    if (response.typeUrl === TYPE.route || response.typeUrl === TYPE.virtualHost) this.window.routeResponses++;
    this.window.bytes += response.bytes;
    if (response.typeUrl === TYPE.cluster) this.follow(TYPE.endpoint, response);
    if (response.typeUrl === TYPE.listener) this.follow(TYPE.route, response);
    if (response.typeUrl === TYPE.route && this.protocol === 'delta') this.followVhds(response);
    this.last.set(response.typeUrl, { versionInfo: response.versionInfo, nonce: response.nonce });
    this.ack(response);
    this.answered.add(response.typeUrl);
    this.window.lastAckMs = Number(process.hrtime.bigint()) / 1e6;
  }

  /** CDS/LDS answered: (re)subscribe to the EDS/RDS names they reference, as Envoy does. */
  private follow(type: string, parent: ResponseSummary): void {
    const learned = parent.typeUrl === TYPE.cluster ? parent.edsNames : parent.rdsNames;
    const wanted = this.protocol === 'sotw' ? [...new Set(learned)].sort() : [...new Set(learned)];
    const before = this.names.get(type);
    if (this.protocol === 'delta' && before !== undefined && parent.names.length !== 0) {
      // Delta CDS/LDS carry only changed resources: add what they reference, keep the rest.
      wanted.push(...before.filter((n) => !wanted.includes(n)));
    }
    if (before && before.length === wanted.length && before.every((n, i) => n === wanted[i])) return;
    this.names.set(type, wanted);
    if (wanted.length === 0) return;
    this.wanted.add(type);
    if (this.protocol === 'sotw') {
      const previous = this.last.get(type);
      this.sendSotw(type, wanted, previous?.versionInfo ?? '', previous?.nonce ?? '');
    } else {
      const had = new Set(before ?? []);
      const subscribe = wanted.filter((n) => !had.has(n));
      if (subscribe.length > 0) this.sendDelta(type, subscribe, [], '');
    }
  }

  /** Delta RDS answered: subscribe to the virtual hosts of each route configuration with vhds, once per name. */
  private followVhds(response: ResponseSummary): void {
    const subscribe = [...new Set(response.vhdsNames)].filter((n) => !this.vhdsNamespaces.has(n));
    const unsubscribe = response.removed.filter((n) => this.vhdsNamespaces.has(n));
    for (const name of subscribe) this.vhdsNamespaces.add(name);
    for (const name of unsubscribe) this.vhdsNamespaces.delete(name);
    if (subscribe.length === 0 && unsubscribe.length === 0) return;
    // Wanted before this RDS response counts as answered, so the client is never ready without its virtual hosts.
    if (subscribe.length > 0) this.wanted.add(TYPE.virtualHost);
    this.sendDelta(TYPE.virtualHost, subscribe, unsubscribe, '');
  }

  private ack(response: ResponseSummary): void {
    if (this.protocol === 'sotw') this.sendSotw(response.typeUrl, this.names.get(response.typeUrl) ?? [], response.versionInfo, response.nonce);
    else this.sendDelta(response.typeUrl, [], [], response.nonce);
  }

  private request(type: string, names: string[]): void {
    if (this.protocol === 'sotw') this.sendSotw(type, names, '', '');
    else this.sendDelta(type, names, [], '');
  }

  private sendSotw(typeUrl: string, resourceNames: string[], versionInfo: string, nonce: string): void {
    this.call.write(encodeSotwRequest({ typeUrl, resourceNames, versionInfo, nonce, ...this.nodeOnce() }));
  }

  private sendDelta(typeUrl: string, subscribe: string[], unsubscribe: string[], nonce: string): void {
    this.call.write(encodeDeltaRequest({ typeUrl, subscribe, unsubscribe, nonce, ...this.nodeOnce() }));
  }

  private nodeOnce(): { node?: NodeInfo } {
    if (this.nodeSent) return {};
    this.nodeSent = true;
    return { node: this.node };
  }
}

/**
 * HTTP/2 flow-control windows, stream and connection, as Envoy sets them by default (256 MiB:
 * Http2ProtocolOptions.initial_stream_window_size and initial_connection_window_size in
 * api/envoy/config/core/v3/protocol.proto). grpc-js would open 64 KiB windows, the HTTP/2 default,
 * and a 0.8 MB route table would then take a dozen window updates from a busy client process
 * before the server could finish writing it: a cost no Envoy imposes.
 */
export const ENVOY_WINDOW_BYTES = 256 * 1024 * 1024;

/** A channel of its own per client (local subchannel pool): one HTTP/2 connection each, like Envoys. */
export function connect(address: string, streamsPerConnection = 1): () => grpc.Client {
  let shared: grpc.Client | undefined;
  let used = 0;
  return () => {
    if (!shared || used >= streamsPerConnection) {
      shared = new grpc.Client(address, grpc.credentials.createInsecure(), {
        'grpc.use_local_subchannel_pool': 1,
        'grpc-node.flow_control_window': ENVOY_WINDOW_BYTES,
        'grpc.max_receive_message_length': -1,
        'grpc.max_send_message_length': -1,
      });
      used = 0;
    }
    used++;
    return shared;
  };
}
