// The xDS server's Prometheus series. NACK counters follow Istio's pilot_total_xds_rejects idea:
// a rising count is the first sign that a configuration is being rejected somewhere.
import { typeUrlOf } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import type { PushThrottle } from '../protocol/push-throttle.js';
import type { Counter, Gauge, MetricsRegistry } from './metrics.js';

export class XdsMetrics {
  private readonly streams: Gauge;
  private readonly streamsTotal: Counter;
  private readonly unknownFleets: Counter;
  private readonly responses: Counter;
  private readonly responseBytes: Counter;
  private readonly acks: Counter;
  private readonly nacks: Counter;
  private readonly staleNonces: Counter;
  private readonly publishes: Counter;

  constructor(registry: MetricsRegistry, streamCounts: () => Map<string, number>, throttle: PushThrottle) {
    this.streams = registry.gauge('portico_xds_streams', 'Open ADS streams by fleet (node.cluster).');
    this.streamsTotal = registry.counter('portico_xds_streams_total', 'ADS streams accepted.');
    this.unknownFleets = registry.counter('portico_xds_unknown_fleet_streams_total', 'Streams whose node.cluster names no published fleet.');
    this.responses = registry.counter('portico_xds_responses_total', 'DiscoveryResponses sent, by type URL.');
    this.responseBytes = registry.counter('portico_xds_response_bytes_total', 'Bytes of DiscoveryResponses sent, by type URL.');
    this.acks = registry.counter('portico_xds_acks_total', 'Responses acknowledged, by type URL.');
    this.nacks = registry.counter('portico_xds_nacks_total', 'Responses rejected by a client (NACK), by type URL and fleet.');
    this.staleNonces = registry.counter('portico_xds_stale_nonce_requests_total', 'Requests ignored because they answer a superseded response.');
    this.publishes = registry.counter('portico_xds_publishes_total', 'Fleet publishes, by fleet and whether anything changed.');
    const slotsInUse = registry.gauge('portico_xds_push_slots_in_use', 'Responses being written right now (bounded by the push limit).');
    const slotsWaiting = registry.gauge('portico_xds_push_slots_waiting', 'Streams waiting for a push slot.');
    registry.beforeScrape(() => {
      for (const [fleet, count] of streamCounts()) this.streams.set({ fleet }, count);
      slotsInUse.set({}, throttle.inFlight);
      slotsWaiting.set({}, throttle.queued);
    });
  }

  streamOpened(): void {
    this.streamsTotal.inc();
  }

  unknownFleet(): void {
    this.unknownFleets.inc();
  }

  responded(kind: ResourceKind, bytes: number): void {
    this.responses.inc({ type_url: typeUrlOf(kind) });
    this.responseBytes.inc({ type_url: typeUrlOf(kind) }, bytes);
  }

  acked(kind: ResourceKind): void {
    this.acks.inc({ type_url: typeUrlOf(kind) });
  }

  nacked(kind: ResourceKind, fleet: string): void {
    this.nacks.inc({ type_url: typeUrlOf(kind), fleet });
  }

  staleNonce(kind: ResourceKind): void {
    this.staleNonces.inc({ type_url: typeUrlOf(kind) });
  }

  published(fleet: string, changed: boolean): void {
    this.publishes.inc({ fleet, changed: String(changed) });
  }

  /** Total NACKs so far, over all types and fleets. */
  nackTotal(): number {
    return this.nacks.total();
  }
}
