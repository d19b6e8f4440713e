// One simulated Envoy: an ADS stream that subscribes like Envoy (wildcard CDS and LDS, then EDS for
// the EDS clusters and RDS for the route names the listeners reference), ACKs every response, and
// records when each response arrived and how big it was. The protocol (state of the world or
// incremental) is a parameter; both speak the same AggregatedDiscoveryService. Over Delta, a route
// configuration with vhds set gets its virtual hosts over VHDS, as Envoy's VhdsSubscription does:
// one VirtualHost subscription per route configuration, named after it (a namespace: every
// VirtualHost named `<route configuration>/...`).
import type { ClientHttp2Session } from 'node:http2';
import { GrpcStream } from './grpc-stream.js';
import type { StreamStatus } from './grpc-stream.js';
import { TYPE, encodeDeltaRequest, encodeSotwRequest, readDeltaResponse, readSotwResponse } from './wire.js';
import type { NodeInfo, ResponseSummary } from './wire.js';

export { ENVOY_WINDOW_BYTES, connect } from './grpc-stream.js';

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

/**
 * What the clients of one fleet process add up to, kept as responses arrive: the runner asks for
 * it ten times a second while it measures, and a status that walked every client (and
 * every client's types) took a third of the fleet's CPU, on the cores the server runs on.
 */
export class FleetTally {
  clients = 0;
  /** Clients with every subscribed type answered at least once. */
  ready = 0;
  /** Since the mark: clients that received a response, clients that received routes, bytes, responses. */
  responded = 0;
  routed = 0;
  bytes = 0;
  responses = 0;
  /** Since the mark: the latest ACK, CLOCK_MONOTONIC ms (0 when none). */
  lastAckMs = 0;
  /** Streams opened again after one ended before its client was ready (FleetClient.ended). */
  reconnects = 0;
  /** Streams that ended for good, and why (gRPC status code and details), with a count each. */
  ended = 0;
  readonly endedWhy: Record<string, number> = {};

  mark(): void {
    this.responded = 0;
    this.routed = 0;
    this.bytes = 0;
    this.responses = 0;
    this.lastAckMs = 0;
  }
}

/** Attempts to open a stream again that ended before its client was ready; the first waits about this long, each next twice as long. */
const MAX_RECONNECTS = 5;
const RECONNECT_BASE_MS = 500;

/** What a starting Envoy asks for first, by wildcard: the rest follows from their answers. */
const WILDCARD_TYPES = [TYPE.cluster, TYPE.listener];

export class FleetClient {
  readonly window: ClientWindow = { responses: 0, routeResponses: 0, bytes: 0, lastAckMs: 0 };
  /** Types that have been answered (and ACKed) at least once. */
  readonly answered = new Set<string>();
  readonly wanted = new Set<string>(WILDCARD_TYPES);
  nacks = 0;
  /** How its stream ended for good: closed by the server once ready, or after the last reconnect. */
  status: StreamStatus | undefined;
  /** The current stream (open() replaces it when it reconnects). */
  private call!: GrpcStream;
  private readonly names = new Map<string, string[]>();
  /** Per type, what the next SotW request must echo (not the whole summary: its name lists are large). */
  private readonly last = new Map<string, { versionInfo: string; nonce: string }>();
  /** Delta: route configurations whose VirtualHost namespace it subscribed to. */
  private readonly vhdsNamespaces = new Set<string>();
  private nodeSent = false;
  private isReady = false;
  private reconnects = 0;
  private closed = false;

  constructor(
    private readonly node: NodeInfo,
    private readonly protocol: Protocol,
    private readonly connection: () => ClientHttp2Session,
    private readonly tally = new FleetTally(),
  ) {
    tally.clients++;
    this.open();
  }

  /** A new stream that subscribes from scratch, as a starting Envoy does. */
  private open(): void {
    const method = this.protocol === 'sotw' ? SOTW_METHOD : DELTA_METHOD;
    const read = this.protocol === 'sotw' ? readSotwResponse : readDeltaResponse;
    this.call = new GrpcStream(this.connection(), method, (message) => this.onResponse(read(message)), (status) => this.ended(status));
    for (const type of WILDCARD_TYPES) this.request(type, []);
  }

  /**
   * A stream that ends before its client was ever ready is opened again, after a backoff, as an
   * Envoy retries its ADS stream: with a thousand clients connecting while the server pushes
   * 6 MB tables, the kernel's accept queue overflows and some connections are reset before they
   * are established. Once ready, an end is a finding, and the client stays ended.
   */
  private ended(status: StreamStatus): void {
    if (this.closed) return;
    if (!this.isReady && this.reconnects < MAX_RECONNECTS) {
      this.reconnects++;
      this.tally.reconnects++;
      this.forget();
      const backoff = RECONNECT_BASE_MS * 2 ** (this.reconnects - 1) * (0.5 + Math.random() / 2);
      setTimeout(() => {
        if (!this.closed) this.open();
      }, backoff);
      return;
    }
    this.status = status;
    const why = `${status.code} ${status.details}`;
    this.tally.ended++;
    this.tally.endedWhy[why] = (this.tally.endedWhy[why] ?? 0) + 1;
  }

  /** What the ended stream had subscribed to and been told: a new stream starts without it. */
  private forget(): void {
    this.answered.clear();
    this.wanted.clear();
    for (const type of WILDCARD_TYPES) this.wanted.add(type);
    this.names.clear();
    this.last.clear();
    this.vhdsNamespaces.clear();
    this.nodeSent = false;
  }

  mark(): void {
    this.window.responses = 0;
    this.window.routeResponses = 0;
    this.window.bytes = 0;
    this.window.lastAckMs = 0;
  }

  /** Every type it subscribed to has been answered. */
  get ready(): boolean {
    return this.isReady;
  }

  close(): void {
    this.closed = true;
    this.call.cancel();
  }

  private onResponse(response: ResponseSummary): void {
    const { window, tally } = this;
    if (window.responses++ === 0) tally.responded++;
    if (response.typeUrl === TYPE.route || response.typeUrl === TYPE.virtualHost) {
      if (window.routeResponses++ === 0) tally.routed++;
    }
    window.bytes += response.bytes;
    tally.bytes += response.bytes;
    tally.responses++;
    if (response.typeUrl === TYPE.cluster) this.follow(TYPE.endpoint, response);
    if (response.typeUrl === TYPE.listener) this.follow(TYPE.route, response);
    if (response.typeUrl === TYPE.route && this.protocol === 'delta') this.followVhds(response);
    this.last.set(response.typeUrl, { versionInfo: response.versionInfo, nonce: response.nonce });
    this.ack(response);
    this.answered.add(response.typeUrl);
    window.lastAckMs = Number(process.hrtime.bigint()) / 1e6;
    tally.lastAckMs = Math.max(tally.lastAckMs, window.lastAckMs);
    this.updateReady();
  }

  /** Subscribing to a new type (EDS, RDS, VHDS) makes a ready client wait again, until it is answered. */
  private updateReady(): void {
    let ready = true;
    for (const type of this.wanted) if (!this.answered.has(type)) ready = false;
    if (ready !== this.isReady) this.tally.ready += ready ? 1 : -1;
    this.isReady = ready;
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
