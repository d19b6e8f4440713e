// The xDS server's Prometheus series. NACK counters follow Istio's pilot_total_xds_rejects idea:
// a rising count is the first sign that a configuration is being rejected somewhere.
// Series labelled by fleet exist while the fleet does (published, or named by an open stream):
// node.cluster is chosen by whoever connects, so 2,000 clients naming 2,000 made-up fleets made
// 2,000 series that outlived them. Series of departed fleets are removed (fleetGone).
import { typeUrlOf } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import type { PushThrottle } from '../protocol/push-throttle.js';
import { INVALID_LABEL, fleetLabel } from './metric-labels.js';
import type { Counter, CounterSeries, Gauge, Histogram, MetricsRegistry } from '../../../observability/src/index.js';

/** Why the server ended or refused a stream, as the `reason` label says it. */
export type RefusalReason = 'streams_per_node' | 'invalid_request' | 'limit_exceeded' | 'permission_denied' | 'unauthenticated';

export interface FleetSources {
  /** Open streams per fleet name. */
  streamCounts(): Map<string, number>;
  /** Fleets that exist: published, or named by an open stream. */
  liveFleets(): Iterable<string>;
  /** Connected clients (distinct node ids with an open stream) per fleet name. */
  clientCounts?(): Map<string, number>;
}

interface PerTypeSeries {
  readonly labels: { type_url: string };
  readonly responses: CounterSeries;
  readonly responseBytes: CounterSeries;
  readonly acks: CounterSeries;
}

export class XdsMetrics {
  private readonly streams: Gauge;
  private readonly streamsTotal: Counter;
  private readonly unknownFleets: Counter;
  private readonly responses: Counter;
  private readonly responseBytes: Counter;
  private readonly acks: Counter;
  private readonly ackLatency: Histogram;
  private readonly clients: Gauge;
  private readonly nacks: Counter;
  private readonly staleNonces: Counter;
  private readonly publishes: Counter;
  private readonly refusals: Counter;
  private readonly slowStreams: Counter;
  private readonly byFleet: Array<Counter | Gauge>;
  private readonly perType = new Map<ResourceKind, PerTypeSeries>();

  constructor(
    registry: MetricsRegistry,
    private readonly fleets: FleetSources,
    throttle: PushThrottle,
  ) {
    this.streams = registry.gauge('portico_xds_streams', 'Open ADS streams by fleet (node.cluster).', ['fleet']);
    this.clients = registry.gauge('portico_xds_connected_clients', 'Connected clients (distinct node ids with an open stream) by fleet.', ['fleet']);
    this.streamsTotal = registry.counter('portico_xds_streams_total', 'ADS streams accepted.');
    this.unknownFleets = registry.counter('portico_xds_unknown_fleet_streams_total', 'Streams whose node.cluster names no published fleet.');
    this.responses = registry.counter('portico_xds_responses_total', 'DiscoveryResponses sent, by type URL.', ['type_url']);
    this.responseBytes = registry.counter('portico_xds_response_bytes_total', 'Bytes of DiscoveryResponses sent, by type URL.', ['type_url']);
    this.acks = registry.counter('portico_xds_acks_total', 'Responses acknowledged, by type URL.', ['type_url']);
    this.ackLatency = registry.histogram('portico_xds_ack_latency_seconds', 'Time from a response being sent to its ACK, by type URL.', ['type_url']);
    this.nacks = registry.counter('portico_xds_nacks_total', 'Responses rejected by a client (NACK), by type URL and fleet.', ['type_url', 'fleet']);
    this.staleNonces = registry.counter('portico_xds_stale_nonce_requests_total', 'Requests ignored because they answer a superseded response.', ['type_url']);
    this.publishes = registry.counter('portico_xds_publishes_total', 'Fleet publishes, by fleet and whether anything changed.', ['fleet', 'changed']);
    this.refusals = registry.counter('portico_xds_streams_refused_total', 'Streams refused or ended by the server for a request it does not serve, by reason.', ['reason']);
    this.slowStreams = registry.counter('portico_xds_slow_streams_closed_total', 'Streams closed because a response was not read within the write deadline.');
    this.byFleet = [this.streams, this.clients, this.nacks, this.publishes];
    const slotsInUse = registry.gauge('portico_xds_push_slots_in_use', 'Responses holding a push slot (bounded by the push limit): large ones being written, and small ones to streams not yet known to read.');
    const slotsWaiting = registry.gauge('portico_xds_push_slots_waiting', 'Streams waiting for a push slot.');
    const bytesInFlight = registry.gauge('portico_xds_push_bytes_in_flight', 'Bytes of responses handed to gRPC and not yet written.');
    const bytesStalled = registry.gauge('portico_xds_push_bytes_stalled', 'Bytes of responses unwritten for longer than a push slot is held.');
    registry.beforeScrape(() => {
      const counts = new Map<string, number>();
      for (const fleet of this.fleets.liveFleets()) counts.set(fleetLabel(fleet), 0);
      for (const [fleet, count] of this.fleets.streamCounts()) counts.set(fleetLabel(fleet), (counts.get(fleetLabel(fleet)) ?? 0) + count);
      for (const [fleet, count] of counts) this.streams.set({ fleet }, count);
      const clients = new Map<string, number>();
      for (const fleet of counts.keys()) clients.set(fleet, 0);
      for (const [fleet, count] of this.fleets.clientCounts?.() ?? []) clients.set(fleetLabel(fleet), (clients.get(fleetLabel(fleet)) ?? 0) + count);
      for (const [fleet, count] of clients) this.clients.set({ fleet }, count);
      slotsInUse.set({}, throttle.inFlight);
      slotsWaiting.set({}, throttle.queued);
      bytesInFlight.set({}, throttle.bytesInFlight);
      bytesStalled.set({}, throttle.stalledBytes);
    });
  }

  streamOpened(): void {
    this.streamsTotal.inc();
  }

  unknownFleet(): void {
    this.unknownFleets.inc();
  }

  refused(reason: RefusalReason): void {
    this.refusals.inc({ reason });
  }

  slowStreamClosed(): void {
    this.slowStreams.inc();
  }

  responded(kind: ResourceKind, bytes: number): void {
    const series = this.seriesOf(kind);
    series.responses.inc();
    series.responseBytes.inc(bytes);
  }

  /** `latencyMs`: from the response being sent to this ACK. */
  acked(kind: ResourceKind, latencyMs?: number): void {
    const series = this.seriesOf(kind);
    series.acks.inc();
    if (latencyMs !== undefined) this.ackLatency.observe(series.labels, Math.max(0, latencyMs) / 1000);
  }

  /** The per-type series counted on every response and ACK (kept, like the types, for the server's life). */
  private seriesOf(kind: ResourceKind): PerTypeSeries {
    let series = this.perType.get(kind);
    if (!series) {
      const labels = { type_url: typeUrlOf(kind) };
      series = { labels, responses: this.responses.series(labels), responseBytes: this.responseBytes.series(labels), acks: this.acks.series(labels) };
      this.perType.set(kind, series);
    }
    return series;
  }

  nacked(kind: ResourceKind, fleet: string): void {
    this.nacks.inc({ type_url: typeUrlOf(kind), fleet: fleetLabel(fleet) });
  }

  staleNonce(kind: ResourceKind): void {
    this.staleNonces.inc({ type_url: typeUrlOf(kind) });
  }

  published(fleet: string, changed: boolean): void {
    this.publishes.inc({ fleet: fleetLabel(fleet), changed: String(changed) });
  }

  /** Total NACKs so far, over all types and fleets. */
  nackTotal(): Promise<number> {
    return this.nacks.total();
  }

  /**
   * Removes the series of a fleet that no longer exists (neither published nor used by a stream).
   * Fleets whose names are not label values share INVALID_LABEL: those series go with the last of them.
   */
  fleetGone(fleet: string): void {
    const label = fleetLabel(fleet);
    if (label === INVALID_LABEL) {
      for (const other of this.fleets.liveFleets()) if (fleetLabel(other) === INVALID_LABEL) return;
    }
    for (const metric of this.byFleet) metric.remove({ fleet: label });
  }
}
