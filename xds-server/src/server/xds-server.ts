// The xDS server: a grpc-js server speaking ADS (State of the World and Delta), a cache of fleets, and the
// small interface the operator uses: publish a fleet, remove a fleet, be told about NACKs.
import { X509Certificate } from 'node:crypto';
import { hostname } from 'node:os';
import * as grpc from '@grpc/grpc-js';
import { SnapshotCache } from '../cache/snapshot-cache.js';
import type { PublishResult } from '../cache/snapshot-cache.js';
import { withGrpcView } from '../grpc/grpc-view.js';
import { withVirtualHostDiscovery } from '../cache/virtual-host-discovery.js';
import { silentLogger } from '../../../observability/src/index.js';
import type { Logger } from '../../../observability/src/index.js';
import { RESOURCE_TYPES } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { DELTA } from '../protocol/delta-protocol.js';
import { SOTW } from '../protocol/sotw-protocol.js';
import { SharedResponses } from '../protocol/shared-responses.js';
import { XdsStream } from '../protocol/xds-stream.js';
import type { StreamEnvironment, StreamHandle, StreamHooks, StreamStatus, WriteResponse } from '../protocol/stream-environment.js';
import type { NackEvent, NackResolvedEvent } from '../protocol/nack.js';
import { PushThrottle } from '../protocol/push-throttle.js';
import { DEFAULT_STREAM_LIMITS } from '../protocol/stream-limits.js';
import type { StreamLimits } from '../protocol/stream-limits.js';
import type { FleetResources, FleetView, GrpcView, ResourceOrigins } from '../resources.js';
import { adsServiceDefinition } from './ads-service.js';
import type { AdsCall, DeltaAdsCall } from './ads-service.js';
import { resetCall } from './call-reset.js';
import { MetricsRegistry } from '../../../observability/src/index.js';
import { NackBook } from './nack-book.js';
import { nackLogFields } from './nack-log.js';
import { NodeStreams } from './node-streams.js';
import { NodeStreamLimitError, refusalOf } from './refusals.js';
import { DEFAULT_WRITE_TIMEOUT_MS, writeWithDeadline } from './response-writer.js';
import { XdsMetrics } from './xds-metrics.js';
import { configDump } from './config-dump.js';
import type { ConfigDump } from './config-dump.js';
import { CertificateExpiry } from '../tls/certificate-expiry.js';
import { peerIdentity } from '../tls/fleet-identity.js';
import type { PeerIdentity } from '../tls/fleet-identity.js';
import { TlsListener } from '../tls/tls-listener.js';
import type { TlsMaterial, TlsSource } from '../tls/tls-material.js';
import { PermissionDeniedError } from './refusals.js';

/** What an operator may tune from the command line (`portico serve`); the rest keep their defaults there. */
export type XdsServerTuning = Pick<XdsServerOptions, 'writeTimeoutMs'>;

export interface XdsServerOptions {
  logger?: Logger;
  /** Where the server registers its series; a private registry by default. */
  metrics?: MetricsRegistry;
  /** Responses written concurrently across all streams (see PushThrottle). */
  pushLimit?: number;
  /** How long LDS/RDS updates wait for a client to answer a Cluster update. */
  clusterAckWaitMs?: number;
  /** control_plane.identifier in responses. */
  controlPlaneId?: string;
  /** Forces clients to reconnect now and then, so they spread over replicas (default 30 min). */
  maxConnectionAgeMs?: number;
  /** Bytes of responses being written before pushes wait (see PushThrottle; default 32 MiB). */
  maxPushBytes?: number;
  /** Bytes of stalled responses on top of maxPushBytes before pushes wait (default: maxPushBytes). */
  maxStalledPushBytes?: number;
  /** How long a response holds a push slot, and counts against maxPushBytes, before it counts as stalled (default 2 s). */
  pushHoldMs?: number;
  /**
   * A response not written within this means the client is not reading: its stream is reset
   * (clients see UNAVAILABLE) and everything it held is given back (default 30 s).
   */
  /** How often streams are checked for client certificates that expired while connected (default 60 s). */
  certificateExpiryCheckMs?: number;
  writeTimeoutMs?: number;
  /** Open streams per node id and client host; more are refused with RESOURCE_EXHAUSTED (default 256). */
  maxStreamsPerNode?: number;
  /** Concurrent streams per HTTP/2 connection, grpc.max_concurrent_streams (default 100). */
  maxStreamsPerConnection?: number;
  /** Largest request accepted, grpc.max_receive_message_length (default 16 MiB; larger ones end the stream with RESOURCE_EXHAUSTED). */
  maxRequestBytes?: number;
  /** Nodes whose latest NACKs nacks() and /debug/xds keep (default 10,000). */
  maxNackNodes?: number;
  /** Per stream: subscribed names, node id and cluster length, error_detail kept (DEFAULT_STREAM_LIMITS). */
  streamLimits?: Partial<StreamLimits>;
  /**
   * Mutual TLS: the server's certificate and the CAs it trusts for client certificates, reloaded
   * whenever the source changes. A client then reads only the fleets its certificate names
   * (tls/fleet-identity.ts). Without it the port is plain text and any client reads any fleet.
   */
  tls?: TlsSource;
}

/** Envoy's requests are small: a subscription of 20,000 EDS names is under 1 MB. */
// Envoy's largest request is a Delta reconnect at a large fleet: every EDS name twice (subscribed
// and in initial_resource_versions) with its version, about 6 MB at 20,000 clusters of 130-character
// names. 16 MiB leaves room for that and still refuses a flood of huge requests.
export const DEFAULT_MAX_REQUEST_BYTES = 16 * 1024 * 1024;
/**
 * Envoy and gRPC clients open one ADS stream per connection; test harnesses put several gRPC
 * xDS clients of one process on one connection (grpc-js shares it). 100 is HTTP/2's recommended
 * minimum; a client asking for more streams waits for one to close.
 */
export const DEFAULT_MAX_STREAMS_PER_CONNECTION = 100;

/** How a fleet is cut into resources for its clients; the defaults are what every Envoy accepts. */
export interface PublishOptions {
  /**
   * Delta clients get each RouteConfiguration split per host with VHDS. Off by default: Envoy
   * releases before VHDS_OVER_ADS_SINCE reject the whole route table (envoy-releases.ts).
   */
  virtualHostDiscovery?: boolean;
  /**
   * What proxyless gRPC clients get besides the fleet: API listeners and their route tables, as the
   * operator built them. Served to SotW clients that name them, never to wildcard (Envoy)
   * subscriptions nor in the Delta view. Absent: the fleet has no gRPC targets.
   */
  grpc?: GrpcView;
}

/** What the operator needs from the xDS server; nothing here knows about Kubernetes. */
export interface XdsPublisher {
  /**
   * Replaces the fleet's configuration. What is handed over is never changed afterwards: the server
   * keeps the lists and objects it is given, takes a list handed over again (the same array) as
   * unchanged without looking into it, and an object it has seen as already encoded.
   */
  publishFleet(fleet: string, resources: FleetResources, origins?: ResourceOrigins, options?: PublishOptions): PublishResult;
  removeFleet(fleet: string): boolean;
  /** Called once per rejected response (node, type, nonce). Returns an unsubscribe function. */
  onNack(listener: (event: NackEvent) => void): () => void;
  /** Called when a node accepts a type it had rejected. */
  onNackResolved(listener: (event: NackResolvedEvent) => void): () => void;
}

export interface FleetSummary {
  fleet: string;
  versions: Record<ResourceKind, string>;
  resources: Record<ResourceKind, number>;
  /** Listener names proxyless gRPC clients can dial as xds:///NAME. */
  grpcTargets: string[];
}

/** A SotW or Delta stream, as far as the server is concerned. */
interface ServedStream extends StreamHandle {
  readonly idle: boolean;
  fleetChanged(kinds: readonly ResourceKind[]): void;
  close(): void;
  status(): StreamStatus;
}

interface OpenStream {
  stream: ServedStream;
  call: AdsCall | DeltaAdsCall;
  /** Counted in NodeStreams (admitted when the first request named the node). */
  nodeAdmitted: boolean;
  /** The client's address without its port: node streams are counted per host. */
  peerHost: string;
  /** With TLS: the verified client certificate's identity. */
  identity?: PeerIdentity;
  /** Ends the stream with a status (an expired client certificate). */
  end?: (reason: string, code: grpc.status, details: string) => void;
}

/** How often open streams are checked for client certificates that have expired since they connected. */
const CERTIFICATE_EXPIRY_CHECK_MS = 60_000;

export class XdsServer implements XdsPublisher {
  readonly metrics: MetricsRegistry;
  private readonly logger: Logger;
  private readonly cache = new SnapshotCache();
  /** Each fleet's views from its last publish: the next publish makes its views from them. */
  private readonly views = new Map<string, { sotw: FleetView; delta: FleetView }>();
  private readonly throttle: PushThrottle;
  private readonly grpcServer: grpc.Server;
  /** Open streams by stream id (hooks name streams by id). */
  private readonly open = new Map<number, OpenStream>();
  private expiryTimer: NodeJS.Timeout | undefined;
  private readonly certificateExpiryCheckMs: number;
  private readonly streamsByFleet = new Map<string, Set<ServedStream>>();
  private readonly nackListeners = new Set<(event: NackEvent) => void>();
  private readonly resolvedListeners = new Set<(event: NackResolvedEvent) => void>();
  private readonly forgottenListeners = new Set<(nodeId: string) => void>();
  /** Latest unresolved NACK per node and type URL. */
  private readonly nackBook: NackBook;
  private readonly nodeStreams: NodeStreams;
  private readonly series: XdsMetrics;
  private readonly env: StreamEnvironment;
  private readonly writeTimeoutMs: number;
  private readonly tls?: TlsSource;
  /** Expiry of the server's certificate and CA (and, from the operator, of issued client certificates). */
  readonly certificates: CertificateExpiry;
  private tlsListener?: TlsListener;
  private stopTlsUpdates = (): void => undefined;
  private streamCounter = 0;
  private boundPort?: number;
  private draining = false;

  constructor(options: XdsServerOptions = {}) {
    this.logger = options.logger ?? silentLogger;
    this.metrics = options.metrics ?? new MetricsRegistry();
    this.certificateExpiryCheckMs = options.certificateExpiryCheckMs ?? CERTIFICATE_EXPIRY_CHECK_MS;
    this.throttle = new PushThrottle({
      ...(options.pushLimit === undefined ? {} : { limit: options.pushLimit }),
      ...(options.maxPushBytes === undefined ? {} : { maxBytes: options.maxPushBytes }),
      ...(options.maxStalledPushBytes === undefined ? {} : { maxStalledBytes: options.maxStalledPushBytes }),
      ...(options.pushHoldMs === undefined ? {} : { maxHoldMs: options.pushHoldMs }),
    });
    this.writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.nodeStreams = new NodeStreams(options.maxStreamsPerNode);
    this.nackBook = new NackBook(options.maxNackNodes);
    if (options.tls) this.tls = options.tls;
    this.certificates = new CertificateExpiry(this.metrics, this.logger);
    this.series = new XdsMetrics(
      this.metrics,
      {
        streamCounts: () => this.streamCountsByFleet(),
        liveFleets: () => this.liveFleets(),
        clientCounts: () => new Map([...this.streamsByFleet].map(([fleet, streams]) => [fleet, new Set([...streams].map((s) => s.node?.id ?? '')).size])),
      },
      this.throttle,
    );
    this.grpcServer = new grpc.Server({
      // Detect dead clients (a vanished Envoy pod) without waiting for TCP timeouts.
      'grpc.keepalive_time_ms': 30_000,
      // gRPC's default; a client busy taking in a large configuration is not a dead one.
      'grpc.keepalive_timeout_ms': 20_000,
      // grpc-js-xds pings every 5 minutes; accept pings on idle connections.
      'grpc.keepalive_permit_without_calls': 1,
      'grpc.max_connection_age_ms': options.maxConnectionAgeMs ?? 30 * 60_000,
      'grpc.max_connection_age_grace_ms': 60_000,
      // A request is decoded whole before anything can look at it: bound it.
      'grpc.max_receive_message_length': options.maxRequestBytes ?? DEFAULT_MAX_REQUEST_BYTES,
      'grpc.max_concurrent_streams': options.maxStreamsPerConnection ?? DEFAULT_MAX_STREAMS_PER_CONNECTION,
    });
    this.grpcServer.addService(adsServiceDefinition, {
      StreamAggregatedResources: (call: AdsCall) => this.serveStream(call, (id, write) => new XdsStream(id, this.env, write, SOTW)),
      DeltaAggregatedResources: (call: DeltaAdsCall) => this.serveStream(call, (id, write) => new XdsStream(id, this.env, write, DELTA)),
    });
    this.env = {
      snapshotOf: (fleet) => this.cache.get(fleet),
      throttle: this.throttle,
      hooks: this.streamHooks(),
      logger: this.logger,
      controlPlaneId: options.controlPlaneId ?? `portico@${hostname()}`,
      responses: new SharedResponses(),
      clusterAckWaitMs: options.clusterAckWaitMs ?? 5_000,
      limits: { ...DEFAULT_STREAM_LIMITS, ...options.streamLimits },
    };
    this.cache.onChange((fleet, changed) => {
      for (const stream of this.streamsByFleet.get(fleet) ?? []) stream.fleetChanged(changed);
    });
  }

  /** Binds and starts serving; resolves with the port actually bound (useful with port 0). */
  async start(address: string): Promise<number> {
    this.boundPort = this.tls ? await this.startTls(address, this.tls) : await this.startPlaintext(address);
    this.logger.info('xds.listening', { address, port: this.boundPort, transport: this.tls ? 'mtls' : 'plaintext' });
    return this.boundPort;
  }

  private startPlaintext(address: string): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.grpcServer.bindAsync(address, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port)));
    });
  }

  private async startTls(address: string, source: TlsSource): Promise<number> {
    const { host, port } = splitAddress(address);
    const material = source.current();
    const refused = this.metrics.counter('portico_xds_tls_refused_total', 'Connections to the xDS port whose client certificate was missing, expired or untrusted, or whose TLS handshake failed, by reason.', ['reason']);
    this.tlsListener = new TlsListener(this.grpcServer, grpc.ServerCredentials.createInsecure(), material, this.logger, refused);
    this.watchCertificates(material);
    this.stopTlsUpdates = source.onChange((next) => this.reloadTls(next));
    return this.tlsListener.listen(host, port);
  }

  /** New certificates for new connections; open streams keep the connection they have. */
  private reloadTls(material: TlsMaterial): void {
    try {
      this.tlsListener?.update(material);
      this.watchCertificates(material);
      this.logger.info('xds.tls_reloaded', { server: describe(material.cert), ca: describe(material.ca) });
    } catch (error) {
      this.logger.error('xds.tls_reload_failed', { error, hint: 'the previous certificate stays in use; check that tls.key matches tls.crt' });
    }
  }

  private watchCertificates(material: TlsMaterial): void {
    this.certificates.set({ certificate: 'server' }, material.cert);
    this.certificates.set({ certificate: 'ca' }, material.ca);
  }

  get port(): number | undefined {
    return this.boundPort;
  }

  get serving(): boolean {
    return this.boundPort !== undefined && !this.draining;
  }

  publishFleet(fleet: string, resources: FleetResources, origins: ResourceOrigins = {}, options: PublishOptions = {}): PublishResult {
    const grpc = options.grpc;
    if (grpc && grpc.skipped.length > 0) {
      this.logger.warn('xds.grpc_api_listener_skipped', { fleet, hosts: grpc.skipped, reason: 'a Listener with this name already exists' });
    }
    // gRPC clients (SotW only) get the API listeners; Delta clients get the plain fleet, split
    // with VHDS only where the fleet's Envoys are known to accept it.
    const before = this.views.get(fleet);
    const sotw = withGrpcView({ resources, origins }, grpc, before?.sotw);
    const delta = options.virtualHostDiscovery ? withVirtualHostDiscovery(resources, origins, before?.delta) : { resources, origins };
    this.views.set(fleet, { sotw, delta });
    const result = this.cache.publish(fleet, sotw.resources, sotw.origins, delta);
    this.series.published(fleet, result.changed.length > 0);
    for (const problem of result.problems) this.logger.error('xds.resource_rejected', { fleet, ...problem });
    if (result.changed.length > 0) this.logger.info('xds.fleet_published', { fleet, changed: result.changed, versions: result.versions });
    if (grpc && grpc.leftOut.length > 0 && result.changed.length > 0) this.logger.warn('xds.grpc_routes_left_out', { fleet, routes: grpc.leftOut });
    return result;
  }

  /**
   * Replaces, adds or removes some clusters, ClusterLoadAssignments or Secrets of a published fleet
   * without re-publishing the rest (SnapshotCache.updateResources): an endpoint change costs one
   * resource, not the fleet. Both views hold these kinds alike, so no view is rebuilt. `origins`:
   * new origin lists for the resources named (an EndpointSlice that comes or goes changes them).
   */
  updateResources(fleet: string, kind: ResourceKind, upserts: readonly object[], removals: readonly string[] = [], origins?: ResourceOrigins): PublishResult {
    const result = this.cache.updateResources(fleet, kind, upserts, removals, origins);
    this.series.published(fleet, result.changed.length > 0);
    for (const problem of result.problems) this.logger.error('xds.resource_rejected', { fleet, ...problem });
    if (result.changed.length > 0) this.logger.debug('xds.resources_updated', { fleet, kind, upserts: upserts.length, removals: removals.length, versions: result.versions });
    return result;
  }

  removeFleet(fleet: string): boolean {
    const removed = this.cache.remove(fleet);
    this.views.delete(fleet);
    if (removed) this.logger.info('xds.fleet_removed', { fleet, streams: this.streamsByFleet.get(fleet)?.size ?? 0 });
    if (removed && !this.streamsByFleet.has(fleet)) this.series.fleetGone(fleet);
    return removed;
  }

  onNack(listener: (event: NackEvent) => void): () => void {
    this.nackListeners.add(listener);
    return () => this.nackListeners.delete(listener);
  }

  onNackResolved(listener: (event: NackResolvedEvent) => void): () => void {
    this.resolvedListeners.add(listener);
    return () => this.resolvedListeners.delete(listener);
  }

  /**
   * Told when the server stops holding a node's NACKs without their being resolved: the node's
   * last stream closed, or the NACK book made room. Whoever reports NACKs drops that node's.
   */
  onNacksForgotten(listener: (nodeId: string) => void): () => void {
    this.forgottenListeners.add(listener);
    return () => this.forgottenListeners.delete(listener);
  }

  private nacksForgotten(nodeIds: readonly string[]): void {
    for (const nodeId of nodeIds) for (const listener of this.forgottenListeners) listener(nodeId);
  }

  fleets(): FleetSummary[] {
    return this.cache.fleetNames().map((fleet) => {
      const snapshot = this.cache.get(fleet);
      const versions = {} as Record<ResourceKind, string>;
      const resources = {} as Record<ResourceKind, number>;
      for (const kind of Object.keys(RESOURCE_TYPES) as ResourceKind[]) {
        // VirtualHost resources exist only in the Delta view.
        const type = kind === 'virtualHost' ? snapshot.deltaTypes[kind] : snapshot.types[kind];
        versions[kind] = type.version;
        resources[kind] = type.resources.size;
      }
      const grpcTargets = [...snapshot.types.listener.resources.values()].filter((r) => !r.inWildcard).map((r) => r.name);
      return { fleet, versions, resources, grpcTargets };
    });
  }

  /** Every open stream: node, subscriptions, sent and acknowledged versions, last NACK. */
  streams(): StreamStatus[] {
    return [...this.open.values()].map(({ stream }) => stream.status()).sort((a, b) => a.streamId - b.streamId);
  }

  /** What `fleet`, or the open streams of `node` in it, receive (Secrets redacted); undefined when there is no such fleet or node. */
  configDump(fleet: string, node?: string): ConfigDump | undefined {
    return configDump(fleet, this.cache.has(fleet) ? this.cache.get(fleet) : undefined, this.streams(), node);
  }

  /** Unresolved NACKs by node id, latest per type (of at most maxNackNodes nodes, while they are connected). */
  nacks(): Record<string, NackEvent[]> {
    return this.nackBook.all();
  }

  /**
   * Graceful stop: refuse new streams, let every stream finish the response it is writing, end
   * it with OK (clients reconnect, possibly to another replica), then close. Forces after graceMs.
   */
  async shutdown(graceMs = 5_000): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    clearInterval(this.expiryTimer);
    this.logger.info('xds.shutting_down', { streams: this.open.size, graceMs });
    this.stopTlsUpdates();
    this.certificates.stop();
    this.tlsListener?.close();
    const deadline = Date.now() + graceMs;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        this.grpcServer.forceShutdown();
        resolve();
      }, graceMs);
      force.unref();
      this.grpcServer.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
      for (const open of this.open.values()) void this.endWhenIdle(open, deadline);
    });
    for (const { stream } of this.open.values()) stream.close();
    this.open.clear();
  }

  private async endWhenIdle({ stream, call }: OpenStream, deadline: number): Promise<void> {
    while (!stream.idle && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    stream.close();
    if (!call.writableEnded) call.end();
  }

  private serveStream<Request>(
    call: grpc.ServerDuplexStream<Request, Buffer>,
    create: (streamId: number, write: WriteResponse) => ServedStream & { handleRequest(request: Request): void },
  ): void {
    if (this.draining) {
      call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'server is shutting down' });
      return;
    }
    const identity = this.tls ? this.verifiedPeer(call) : undefined;
    if (identity === null) return;
    const streamId = ++this.streamCounter;
    let finished = false;
    let cancelDeadline = (): void => undefined;
    const stream = create(streamId, (bytes, done) => {
      // Only the size: the deadline's closure must not keep the response alive once grpc-js has its own copy.
      const size = bytes.length;
      cancelDeadline = writeWithDeadline(call, bytes, done, this.writeTimeoutMs, () => {
        if (finished) return;
        this.series.slowStreamClosed();
        this.logger.warn('xds.slow_client_closed', {
          streamId,
          nodeId: stream.node?.id,
          fleet: stream.fleet,
          bytes: size,
          writeTimeoutMs: this.writeTimeoutMs,
          reason: 'a response was not read within writeTimeoutMs; the stream is reset (UNAVAILABLE) and the client may reconnect',
        });
        finish('response not read in time');
        // The status cannot pass the unread response: reset the stream, which also frees it.
        if (!resetCall(call)) {
          // A grpc-js that moved the stream: say so loudly, and end the call as well as we can
          // (its buffered response may then stay until the connection goes).
          this.logger.error('xds.slow_client_not_reset', { streamId: stream.streamId, reason: 'the HTTP/2 stream under the call was not found (grpc-js internals changed?)' });
          call.emit('error', { code: grpc.status.UNAVAILABLE, details: `response not read within ${this.writeTimeoutMs} ms` });
        }
      });
    });
    const open: OpenStream = { stream, call, nodeAdmitted: false, peerHost: peerHostOf(call.getPeer()), ...(identity ? { identity } : {}) };
    this.open.set(streamId, open);
    this.series.streamOpened();
    if (identity) this.watchExpiry();
    const finish = (reason: string): void => {
      if (finished) return;
      finished = true;
      cancelDeadline();
      stream.close();
      this.open.delete(streamId);
      this.leave(open);
      this.logger.info('xds.stream_closed', { streamId, nodeId: stream.node?.id, fleet: stream.fleet, reason });
    };
    call.on('data', (request: Request) => {
      try {
        stream.handleRequest(request);
      } catch (error) {
        const details = error instanceof Error ? error.message : String(error);
        const refusal = refusalOf(error);
        if (refusal) this.series.refused(refusal.reason);
        // Malformed requests are bad requests, as before; well-formed ones over a limit are refusals.
        const overLimit = refusal?.code === grpc.status.RESOURCE_EXHAUSTED;
        const denied = refusal?.code === grpc.status.PERMISSION_DENIED;
        const event = denied ? 'xds.permission_denied' : overLimit ? 'xds.stream_refused' : 'xds.bad_request';
        const who = denied ? { peer: call.getPeer(), subject: open.identity?.subject, allowedFleets: open.identity?.fleets } : {};
        this.logger.warn(event, { streamId, nodeId: stream.node?.id, fleet: stream.fleet, code: grpc.status[refusal?.code ?? grpc.status.INTERNAL], details, ...who });
        finish(denied ? 'permission denied' : overLimit ? 'refused' : 'bad request');
        call.emit('error', { code: refusal?.code ?? grpc.status.INTERNAL, details });
      }
    });
    open.end = (reason, code, details) => {
      finish(reason);
      call.emit('error', { code, details });
    };
    call.on('end', () => {
      finish('client closed');
      if (!call.writableEnded) call.end();
    });
    call.on('cancelled', () => finish('cancelled'));
    call.on('error', (error: Error) => finish(`error: ${error.message}`));
    call.on('close', () => finish('closed'));
  }

  /** A stream is gone: its node and fleet may be gone with it, and what was kept for them. */
  private leave({ stream, nodeAdmitted, peerHost }: OpenStream): void {
    const fleet = stream.fleet;
    const streams = fleet === undefined ? undefined : this.streamsByFleet.get(fleet);
    if (fleet !== undefined && streams?.delete(stream) && streams.size === 0) {
      this.streamsByFleet.delete(fleet);
      if (!this.cache.has(fleet)) this.series.fleetGone(fleet);
    }
    const nodeId = stream.node?.id;
    if (nodeAdmitted && nodeId !== undefined && this.nodeStreams.release(nodeId, peerHost) && this.nackBook.forget(nodeId)) this.nacksForgotten([nodeId]);
  }

  private streamHooks(): StreamHooks {
    return {
      identified: (handle) => {
        const open = this.open.get(handle.streamId);
        if (!open) return;
        const { stream } = open;
        const nodeId = stream.node?.id ?? '';
        // Before anything is counted or sent: a client reads only the fleets its certificate names.
        if (this.tls && !open.identity?.fleets.includes(stream.fleet ?? '')) {
          const allowed = open.identity?.fleets ?? [];
          throw new PermissionDeniedError(
            `this client's certificate may read fleet${allowed.length === 1 ? '' : 's'} ${allowed.map((f) => `"${f}"`).join(', ') || '(none)'}, not node.cluster "${stream.fleet ?? ''}": ` +
              `it needs a URI SAN spiffe://portico/fleet/${stream.fleet ?? ''}`,
          );
        }
        if (!this.nodeStreams.admit(nodeId, open.peerHost)) {
          const limit = this.nodeStreams.limit;
          throw new NodeStreamLimitError(`node.id "${nodeId}" already has ${limit} open streams from ${open.peerHost}, the most accepted per node and host: each Envoy or gRPC client needs its own node.id`);
        }
        open.nodeAdmitted = true;
        const fleet = stream.fleet ?? '';
        let streams = this.streamsByFleet.get(fleet);
        if (!streams) {
          streams = new Set();
          this.streamsByFleet.set(fleet, streams);
        }
        streams.add(stream);
        const known = this.cache.has(fleet);
        this.logger.info('xds.stream_opened', { streamId: stream.streamId, protocol: stream.protocol, nodeId: stream.node?.id, fleet, userAgent: stream.node?.userAgent });
        if (!known) {
          this.series.unknownFleet();
          this.logger.warn('xds.unknown_fleet', {
            streamId: stream.streamId,
            nodeId: stream.node?.id,
            fleet,
            knownFleets: this.cache.fleetNames(),
            hint: 'node.cluster must name an IngressClass served by Portico; serving an empty configuration',
          });
        }
      },
      responded: (_stream, kind, bytes) => this.series.responded(kind, bytes),
      acked: (_stream, kind, _version, sentAt) => this.series.acked(kind, Date.now() - sentAt),
      staleNonce: (_stream, kind) => this.series.staleNonce(kind),
      failed: (handle, error) => {
        const open = this.open.get(handle.streamId);
        const details = error instanceof Error ? error.message : String(error);
        this.logger.error('xds.stream_failed', { streamId: handle.streamId, nodeId: open?.stream.node?.id, fleet: open?.stream.fleet, details, hint: 'a bug in Portico: the stream is ended (INTERNAL) and the client may reconnect' });
        open?.end?.('internal error', grpc.status.INTERNAL, details);
      },
      nacked: (event) => {
        this.series.nacked(event.kind, event.fleet);
        const evicted = this.nackBook.record(event);
        this.logger.warn('xds.nack', nackLogFields(event));
        for (const listener of this.nackListeners) listener(event);
        this.nacksForgotten(evicted);
      },
      nackResolved: (event) => {
        this.nackBook.resolve(event.nodeId, event.typeUrl);
        this.logger.info('xds.nack_resolved', { nodeId: event.nodeId, fleet: event.fleet, typeUrl: event.typeUrl, version: event.version });
        for (const listener of this.resolvedListeners) listener(event);
      },
    };
  }

  /**
   * A stream authorised by a client certificate lasts no longer than the certificate: once it has
   * expired, the stream ends with UNAUTHENTICATED and the client must reconnect with a renewed one
   * (checked every minute, while such streams are open).
   */
  private watchExpiry(): void {
    this.expiryTimer ??= setInterval(() => {
      const now = Date.now();
      let watched = 0;
      for (const open of this.open.values()) {
        if (!open.identity) continue;
        watched += 1;
        if (open.identity.expiresAt > now) continue;
        this.logger.warn('xds.client_certificate_expired', { streamId: open.stream.streamId, nodeId: open.stream.node?.id, fleet: open.stream.fleet, subject: open.identity.subject });
        open.end?.('client certificate expired', grpc.status.UNAUTHENTICATED, 'the client certificate has expired; reconnect with the renewed one');
      }
      if (watched === 0) {
        clearInterval(this.expiryTimer);
        this.expiryTimer = undefined;
      }
    }, this.certificateExpiryCheckMs).unref();
  }

  /**
   * The identity of a call's verified client certificate. A call on a connection whose
   * certificate did not verify ends at once with UNAUTHENTICATED naming why (null), even if
   * grpc-js were to hand over the unverified certificate.
   */
  private verifiedPeer(call: grpc.ServerDuplexStream<unknown, Buffer>): PeerIdentity | null {
    const why = this.tlsListener?.unverifiedPeer(call.getPeer());
    const raw = why ? undefined : call.getAuthContext().sslPeerCertificate?.raw;
    const identity = raw ? peerIdentity(raw) : undefined;
    if (identity) return identity;
    this.series.refused('unauthenticated');
    call.emit('error', {
      code: grpc.status.UNAUTHENTICATED,
      details: `the xDS port requires a client certificate signed by Portico's xDS CA (${why ? `${why.reason}: ${why.detail}` : 'none was verified'})`,
    });
    return null;
  }

  private streamCountsByFleet(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const [fleet, streams] of this.streamsByFleet) counts.set(fleet, streams.size);
    return counts;
  }

  /** Fleets that exist as far as metrics go: published, or named by an open stream. */
  private *liveFleets(): Iterable<string> {
    yield* this.cache.fleetNames();
    for (const fleet of this.streamsByFleet.keys()) if (!this.cache.has(fleet)) yield fleet;
  }
}

/** "host:port", "[v6]:port" → the host and port a TLS server listens on. */
function splitAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(address);
  const host = match?.[1] ?? match?.[2];
  if (!match || host === undefined) throw new Error(`xDS address must be HOST:PORT, got "${address}"`);
  return { host, port: Number(match[3]) };
}

function describe(pem: string): { subject: string; notAfter: string } | undefined {
  try {
    const certificate = new X509Certificate(pem);
    return { subject: certificate.subject.replace(/\n/g, ', '), notAfter: new Date(certificate.validTo).toISOString() };
  } catch {
    return undefined;
  }
}

/** grpc-js peers look like `127.0.0.1:5000`, `[::1]:5000` or `ipv4:…`; the host is what identifies a pod. */
function peerHostOf(peer: string): string {
  const withoutScheme = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(withoutScheme);
  if (bracketed) return bracketed[1] ?? withoutScheme;
  return withoutScheme.replace(/:\d+$/, '');
}
