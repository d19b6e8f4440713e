// SotW and Delta go through the one state machine (xds-stream.ts) without a network: the same
// gate, NACK handling, EDS re-sends, held removals and slow-client coalescing, driven by one client
// model per protocol; and what the behaviour flags make differ.
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../cache/snapshot-cache.js';
import { silentLogger } from '../../../observability/src/index.js';
import { decodeMessage, typeUrlOf } from '../protos/envoy-protos.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { fleetOrigins, fleetResources, ROUTE_CONFIG } from '../test-support/fleet-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import type { DeltaDiscoveryRequest__Output } from '../generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';
import type { DiscoveryRequest__Output } from '../generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import { DELTA } from './delta-protocol.js';
import type { DeltaView } from './delta-protocol.js';
import type { NackEvent, NackResolvedEvent } from './nack.js';
import { PushThrottle, SMALL_RESPONSE_BYTES } from './push-throttle.js';
import { SOTW } from './sotw-protocol.js';
import type { SotwView } from './sotw-protocol.js';
import type { StreamEnvironment } from './stream-environment.js';
import { XdsStream } from './xds-stream.js';

const KIND_BY_URL = new Map<string, ResourceKind>((['cluster', 'clusterLoadAssignment', 'listener', 'routeConfiguration', 'virtualHost', 'secret'] as const).map((k) => [typeUrlOf(k), k]));

interface Received {
  kind: ResourceKind;
  nonce: string;
  version: string;
  names: string[];
  removed: string[];
}

/** A client of one protocol: subscribes, answers, and reads what it was written. */
interface Client {
  subscribe(kind: ResourceKind, names: string[]): void;
  ack(response: Received): void;
  nack(response: Received, message: string): void;
  /** The raw request answering an older response (stale nonce), carrying `names` too. */
  answerWithNonce(kind: ResourceKind, nonce: string, names: string[]): void;
  decode(bytes: Buffer): Received;
}

function resourceName(resource: Record<string, unknown>): string {
  return String(resource['name'] ?? resource['cluster_name'] ?? '');
}

function sotwClient(stream: XdsStream<DiscoveryRequest__Output, SotwView>): Client {
  const node = { id: 'n', cluster: 'f' };
  const names = new Map<ResourceKind, string[]>();
  const accepted = new Map<ResourceKind, string>();
  const send = (request: DiscoveryRequest__Output): void => stream.handleRequest({ node, ...request });
  return {
    subscribe: (kind, list) => {
      names.set(kind, list);
      send({ type_url: typeUrlOf(kind), resource_names: list, version_info: accepted.get(kind) ?? '' });
    },
    ack: (r) => {
      accepted.set(r.kind, r.version);
      send({ type_url: typeUrlOf(r.kind), resource_names: names.get(r.kind) ?? [], version_info: r.version, response_nonce: r.nonce });
    },
    nack: (r, message) => send({ type_url: typeUrlOf(r.kind), resource_names: names.get(r.kind) ?? [], version_info: accepted.get(r.kind) ?? '', response_nonce: r.nonce, error_detail: { code: 3, message } }),
    answerWithNonce: (kind, nonce, list) => {
      names.set(kind, list);
      send({ type_url: typeUrlOf(kind), resource_names: list, version_info: accepted.get(kind) ?? '', response_nonce: nonce });
    },
    decode: (bytes) => {
      const response = decodeMessage('envoy.service.discovery.v3.DiscoveryResponse', bytes) as { version_info: string; nonce: string; type_url: string; resources?: Record<string, unknown>[] };
      return { kind: KIND_BY_URL.get(response.type_url) ?? 'cluster', nonce: response.nonce, version: response.version_info, names: (response.resources ?? []).map(resourceName), removed: [] };
    },
  };
}

function deltaClient(stream: XdsStream<DeltaDiscoveryRequest__Output, DeltaView>): Client {
  const node = { id: 'n', cluster: 'f' };
  const subscribed = new Map<ResourceKind, Set<string>>();
  const send = (request: DeltaDiscoveryRequest__Output): void => stream.handleRequest({ node, ...request });
  const change = (kind: ResourceKind, list: string[]): { resource_names_subscribe: string[]; resource_names_unsubscribe: string[] } => {
    const before = subscribed.get(kind) ?? new Set<string>();
    const after = new Set(list);
    subscribed.set(kind, after);
    return { resource_names_subscribe: list.filter((n) => !before.has(n)), resource_names_unsubscribe: [...before].filter((n) => !after.has(n)) };
  };
  return {
    // Wildcard kinds subscribe with an empty list, as Envoy does (legacy wildcard), like SotW.
    subscribe: (kind, list) => send({ type_url: typeUrlOf(kind), ...change(kind, list) }),
    ack: (r) => send({ type_url: typeUrlOf(r.kind), response_nonce: r.nonce }),
    nack: (r, message) => send({ type_url: typeUrlOf(r.kind), response_nonce: r.nonce, error_detail: { code: 3, message } }),
    answerWithNonce: (kind, nonce, list) => send({ type_url: typeUrlOf(kind), response_nonce: nonce, ...change(kind, list) }),
    decode: (bytes) => {
      const response = decodeMessage('envoy.service.discovery.v3.DeltaDiscoveryResponse', bytes) as { system_version_info: string; nonce: string; type_url: string; resources?: { name: string }[]; removed_resources?: string[] };
      return { kind: KIND_BY_URL.get(response.type_url) ?? 'cluster', nonce: response.nonce, version: response.system_version_info, names: (response.resources ?? []).map((r) => r.name), removed: response.removed_resources ?? [] };
    },
  };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
/** Turns enough for a stream to pump, be granted and write. */
const ticks = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await tick();
};

/** One route to cluster c, whose one endpoint listens on `port`. */
const endpointsAt = (port: number): FleetSpec => ({ routes: { 'a.example.com': 'c' }, endpoints: { c: [port] } });

const SPEC: FleetSpec = { routes: { 'a.example.com': 'a', 'b.example.com': 'b' }, endpoints: { a: [1], b: [2] } };

/** A stream environment on `cache` that records the NACKs, resolutions and stale nonces it is told of. */
function recordingEnvironment(cache: SnapshotCache, clusterAckWaitMs = 60_000) {
  const nacks: NackEvent[] = [];
  const resolved: NackResolvedEvent[] = [];
  const stale: ResourceKind[] = [];
  const failures: unknown[] = [];
  const env: StreamEnvironment = {
    snapshotOf: (fleet) => cache.get(fleet),
    throttle: new PushThrottle({ limit: 10 }),
    hooks: {
      identified: () => undefined,
      responded: () => undefined,
      acked: () => undefined,
      nacked: (event) => void nacks.push(event),
      nackResolved: (event) => void resolved.push(event),
      staleNonce: (_stream, kind) => void stale.push(kind),
      failed: (_stream, error) => void failures.push(error),
    },
    logger: silentLogger,
    clusterAckWaitMs,
  };
  return { env, nacks, resolved, stale, failures };
}

function harness(protocol: 'sotw' | 'delta', { clusterAckWaitMs = 60_000, holdWrites = false } = {}) {
  const cache = new SnapshotCache();
  const written: Buffer[] = [];
  const { env, nacks, resolved, stale, failures } = recordingEnvironment(cache, clusterAckWaitMs);
  // Writes complete at once (only the protocol decides what goes out), unless the test plays a
  // client that stopped reading and completes them itself.
  const pendingWrites: (() => void)[] = [];
  const write = (bytes: Buffer, done: () => void): void => {
    written.push(bytes);
    if (holdWrites) pendingWrites.push(done);
    else setImmediate(done);
  };
  const sotw = protocol === 'sotw' ? new XdsStream(1, env, write, SOTW) : undefined;
  const delta = protocol === 'delta' ? new XdsStream(1, env, write, DELTA) : undefined;
  const stream = sotw ?? delta!;
  cache.onChange((_fleet, kinds) => stream.fleetChanged(kinds));
  const client = sotw ? sotwClient(sotw) : deltaClient(delta!);
  let read = 0;
  /** Everything written since the last call, decoded, after the stream had a chance to push. */
  const drain = async (): Promise<Received[]> => {
    await ticks();
    const fresh = written.slice(read).map((bytes) => client.decode(bytes));
    read = written.length;
    return fresh;
  };
  const publish = (spec: FleetSpec): void => void cache.publish('f', fleetResources(spec), fleetOrigins(spec));
  return { cache, client, drain, publish, nacks, resolved, stale, failures, stream, pendingWrites, throttle: env.throttle };
}

/** The stream sends exactly one endpoints response, from the newest snapshot (what waited was coalesced). */
async function oneResponseFromNewest(drain: () => Promise<Received[]>, cache: SnapshotCache): Promise<void> {
  const [latest, ...more] = await drain();
  expect(more).toEqual([]);
  expect(latest?.version).toBe(cache.get('f').types.clusterLoadAssignment.version);
}

/** A harness whose stream subscribed to cluster c's endpoints and ACKed the first response. */
async function syncedOnEndpoints(protocol: 'sotw' | 'delta') {
  const h = harness(protocol);
  h.cache.publish('f', fleetResources(endpointsAt(1)), {});
  h.client.subscribe('clusterLoadAssignment', ['c']);
  const [first] = await h.drain();
  h.client.ack(first!);
  return h;
}

describe.each(['sotw', 'delta'] as const)('one stream machine, %s', (protocol) => {
  it('answers a fleet nobody published with empty LDS and CDS, holding LDS until CDS is answered, then serves it once published', async () => {
    const { client, drain, publish, stream } = harness(protocol);
    client.subscribe('cluster', []);
    client.subscribe('listener', []);
    const [cds, ...held] = await drain();
    expect(cds).toMatchObject({ kind: 'cluster', names: [] });
    expect(held).toEqual([]); // the gate: LDS waits for the Cluster answer
    client.ack(cds!);
    const [lds] = await drain();
    expect(lds).toMatchObject({ kind: 'listener', names: [] });
    client.ack(lds!);

    publish(SPEC);
    const [cds2, ...rest] = await drain();
    expect(cds2).toMatchObject({ kind: 'cluster', names: ['a', 'b'] });
    expect(rest).toEqual([]);
    client.ack(cds2!);
    expect((await drain()).map((r) => [r.kind, r.names])).toEqual([['listener', [ROUTE_CONFIG]]]);
    stream.close();
  });

  it('keeps one response in flight for a slow client and coalesces its backlog to the newest state', async () => {
    const { cache, client, drain, pendingWrites, stream } = harness(protocol, { holdWrites: true });
    cache.publish('f', fleetResources(endpointsAt(1)), {});
    client.subscribe('clusterLoadAssignment', ['c']);
    expect(await drain()).toHaveLength(1);

    // The client does not read: 50 changes later there is still a single write outstanding.
    for (let port = 2; port <= 50; port++) cache.publish('f', fleetResources(endpointsAt(port)), {});
    expect(await drain()).toEqual([]);

    pendingWrites.shift()?.();
    await oneResponseFromNewest(drain, cache);
    pendingWrites.shift()?.();
    expect(await drain()).toEqual([]);
    stream.close();
  });

  it('sends what one turn publishes as one response, from the newest snapshot', async () => {
    const { cache, drain, stream } = await syncedOnEndpoints(protocol);
    expect(await drain()).toEqual([]);

    for (let port = 2; port <= 4; port++) cache.publish('f', fleetResources(endpointsAt(port)), {});
    await oneResponseFromNewest(drain, cache);
    stream.close();
  });

  it('builds a response that waited for a push slot from the snapshot at its grant, not the one it was due for', async () => {
    const { cache, drain, stream, throttle } = await syncedOnEndpoints(protocol);

    // Every slot taken: the stream finds port 2 due and waits; port 3 comes while it waits.
    const taken: Array<() => void> = [];
    for (let i = 0; i < throttle.limit; i++) throttle.acquire(true, (release) => void taken.push(release));
    cache.publish('f', fleetResources(endpointsAt(2)), {});
    expect(await drain()).toEqual([]);
    expect(throttle.queued).toBe(1);
    cache.publish('f', fleetResources(endpointsAt(3)), {});
    for (const release of taken) release();
    await oneResponseFromNewest(drain, cache);
    stream.close();
  });

  it('reports a failure while looking at a configuration change to its host, not to the publisher', async () => {
    const { cache, drain, failures, stream } = await syncedOnEndpoints(protocol);
    (stream as unknown as { nextDue: () => never }).nextDue = () => {
      throw new Error('a bug in the stream machine');
    };
    expect(() => cache.publish('f', fleetResources(endpointsAt(2)), {})).not.toThrow();
    await drain();
    expect(failures).toEqual([new Error('a bug in the stream machine')]);
    stream.close();
  });

  it('books a NACK once with its origins, never re-sends the rejected version, and resolves it on the fix', async () => {
    const { client, drain, publish, nacks, resolved, stream } = harness(protocol);
    publish(SPEC);
    client.subscribe('clusterLoadAssignment', ['a', 'b']);
    const [eds] = await drain();
    expect(eds?.names).toEqual(['a', 'b']);
    client.nack(eds!, 'resource index 1: bad endpoints');
    expect(await drain()).toEqual([]); // no error loop
    expect(nacks).toHaveLength(1);
    expect(nacks[0]).toMatchObject({ nonce: eds!.nonce, rejectedResources: ['b'], responseResources: ['a', 'b'], origins: ['Ingress default/b'], errorCode: 3 });
    expect(stream.status().types[typeUrlOf('clusterLoadAssignment')]).toMatchObject({ nackCount: 1, lastNack: { nonce: eds!.nonce, resources: ['b'] } });

    publish({ ...SPEC, endpoints: { a: [1], b: [3] } });
    const [fix] = await drain();
    expect(fix?.names).toEqual(['b']);
    client.ack(fix!);
    await drain();
    expect(resolved).toHaveLength(1);
    expect(resolved[0]?.previous.nonce).toBe(eds!.nonce);
    expect(stream.status().types[typeUrlOf('clusterLoadAssignment')]?.lastNack).toBeUndefined();
  });

  it('re-sends the endpoints of a changed cluster, and removes a cluster only after the routes moved off it', async () => {
    const { cache, client, drain, publish } = harness(protocol);
    publish(SPEC);
    client.subscribe('cluster', []);
    const [cds] = await drain();
    client.ack(cds!);
    client.subscribe('clusterLoadAssignment', ['a', 'b']);
    client.subscribe('listener', []);
    for (const response of await drain()) client.ack(response);
    client.subscribe('routeConfiguration', [ROUTE_CONFIG]);
    const [rds] = await drain();
    client.ack(rds!);
    await drain();

    // Cluster b changes (not its endpoints): its endpoints go out again, right after CDS.
    const changed = fleetResources(SPEC);
    changed.clusters[1] = { ...changed.clusters[1], connect_timeout: { seconds: 2 } };
    cache.publish('f', changed, fleetOrigins(SPEC));
    const [cds2, edsAgain, ...none] = await drain();
    expect(cds2).toMatchObject({ kind: 'cluster' });
    expect(cds2!.names).toContain('b');
    expect(edsAgain).toMatchObject({ kind: 'clusterLoadAssignment', names: ['b'] });
    expect(none).toEqual([]);
    client.ack(cds2!);
    client.ack(edsAgain!);
    await drain();

    // b.example.com moves to a: cluster b leaves only once the new routes were answered.
    const moved: FleetSpec = { routes: { 'a.example.com': 'a', 'b.example.com': 'a' }, endpoints: { a: [1] } };
    publish(moved);
    const next = await drain();
    const routes = next.find((r) => r.kind === 'routeConfiguration');
    expect(routes).toBeDefined();
    // Until the routes are answered the client keeps cluster b (SotW: still in the set; Delta: not removed).
    for (const r of next.filter((r) => r.kind === 'cluster')) expect(r.removed).not.toContain('b');
    for (const r of next) if (r.kind === 'cluster' && protocol === 'sotw') expect(r.names).toContain('b');
    for (const r of next) client.ack(r);
    const after = await drain();
    const removal = after.find((r) => r.kind === 'cluster');
    expect(removal).toBeDefined();
    if (protocol === 'sotw') expect(removal!.names).toEqual(['a']);
    else expect(removal!.removed).toEqual(['b']);

  });
});

describe('what the protocol flags change', () => {
  it('SotW ignores a request answering a superseded response whole; Delta counts it stale and still honours its subscription', async () => {
    for (const protocol of ['sotw', 'delta'] as const) {
      const { client, drain, publish, stale } = harness(protocol);
      publish(SPEC);
      client.subscribe('clusterLoadAssignment', ['a']);
      const [first] = await drain();
      publish({ ...SPEC, endpoints: { a: [5], b: [2] } });
      const [second] = await drain();
      expect(second?.names).toEqual(['a']);
      // Answers the first response (superseded by the second) and subscribes to b as well.
      client.answerWithNonce('clusterLoadAssignment', first!.nonce, ['a', 'b']);
      const after = await drain();
      if (protocol === 'sotw') {
        expect(stale).toEqual(['clusterLoadAssignment']);
        expect(after).toEqual([]);
      } else {
        // Delta: each response is answered on its own; the first was not yet, so this is its ACK.
        expect(stale).toEqual([]);
        expect(after.map((r) => r.names)).toEqual([['b']]);
      }
    }
  });

  it('shows both protocols in one status shape; only Delta reports initial_resource_versions', async () => {
    for (const protocol of ['sotw', 'delta'] as const) {
      const { client, drain, publish, stream } = harness(protocol);
      publish(SPEC);
      client.subscribe('clusterLoadAssignment', ['a']);
      const [eds] = await drain();
      client.ack(eds!);
      await drain();
      const status = stream.status();
      expect(status.protocol).toBe(protocol);
      expect(status.types[typeUrlOf('clusterLoadAssignment')]).toEqual({
        subscribed: ['a'],
        subscribedCount: 1,
        initialVersion: '',
        ...(protocol === 'delta' ? { initialResourceVersions: 0 } : {}),
        sentVersion: eds!.version,
        ackedVersion: eds!.version,
        nackCount: 0,
      });
    }
  });

  it('a SotW client subscribed to VirtualHost (which SotW never serves) does not hold cluster removals back', async () => {
    const { client, drain, publish } = harness('sotw');
    publish(SPEC);
    client.subscribe('virtualHost', [`${ROUTE_CONFIG}/a.example.com`]);
    client.subscribe('cluster', []);
    const [cds] = await drain();
    expect(cds?.kind).toBe('cluster');
    client.ack(cds!);
    expect(await drain()).toEqual([]);
    publish({ routes: { 'a.example.com': 'a' }, endpoints: { a: [1] } });
    const [removal] = await drain();
    expect(removal).toMatchObject({ kind: 'cluster', names: ['a'] });
  });
});

describe('Delta streams with equal subscriptions share their subscription state, and nothing else', () => {
  // Two streams on one cache, subscribed alike; each its own client, writes and NACK records.
  function pair() {
    const cache = new SnapshotCache();
    const { env, nacks, resolved } = recordingEnvironment(cache);
    const one = (id: number) => {
      const written: Buffer[] = [];
      const stream = new XdsStream(id, env, (bytes, done) => {
        written.push(bytes);
        setImmediate(done);
      }, DELTA);
      cache.onChange((_fleet, kinds) => stream.fleetChanged(kinds));
      const client = deltaClient(stream);
      let read = 0;
      const drain = async (): Promise<Received[]> => {
        await ticks();
        const fresh = written.slice(read).map((bytes) => client.decode(bytes));
        read = written.length;
        return fresh;
      };
      /** Everything due, each response ACKed, until quiet. */
      const sync = async (): Promise<Received[]> => {
        const all: Received[] = [];
        for (let round = 0; round < 5; round++) {
          const fresh = await drain();
          for (const response of fresh) client.ack(response);
          all.push(...fresh);
        }
        return all;
      };
      return { stream, client, drain, sync };
    };
    const spec: FleetSpec = { routes: { 'a.example.com': 'a', 'b.example.com': 'b', 'c.example.com': 'c' }, endpoints: { a: [1], b: [2], c: [3] } };
    cache.publish('f', fleetResources(spec), fleetOrigins(spec));
    return { cache, spec, nacks, resolved, a: one(1), b: one(2) };
  }

  async function subscribedAlike(streams: ReturnType<typeof pair>['a'][]): Promise<void> {
    for (const { client } of streams) {
      client.subscribe('cluster', []);
      client.subscribe('clusterLoadAssignment', ['a', 'b', 'c']);
    }
    for (const { sync } of streams) await sync();
  }

  it('two streams subscribed alike share one name set and, once in sync, hold nothing of their own', async () => {
    const { a, b } = pair();
    await subscribedAlike([a, b]);
    const [viewA, viewB] = [a.stream.viewOf('clusterLoadAssignment')!, b.stream.viewOf('clusterLoadAssignment')!];
    expect(viewA.subscription.nameSetShared).toBe(viewB.subscription.nameSetShared);
    expect(viewA.subscription).not.toBe(viewB.subscription);
    expect(viewA.known).not.toBe(viewB.known);
    expect([viewA.known.ownEntries, viewB.known.ownEntries]).toEqual([0, 0]);
  });

  it('one stream unsubscribing leaves the other subscribed: it alone stops getting the resource, and gets it again on re-subscribing', async () => {
    const { cache, spec, a, b } = pair();
    await subscribedAlike([a, b]);
    a.client.subscribe('clusterLoadAssignment', ['a', 'c']);
    expect(await a.sync()).toEqual([]);
    expect(a.stream.viewOf('clusterLoadAssignment')!.subscription.covers('b')).toBe(false);
    expect(b.stream.viewOf('clusterLoadAssignment')!.subscription.covers('b')).toBe(true);

    cache.publish('f', fleetResources({ ...spec, endpoints: { ...spec.endpoints, b: [20] } }), fleetOrigins(spec));
    expect((await a.sync()).filter((r) => r.kind === 'clusterLoadAssignment')).toEqual([]);
    expect((await b.sync()).filter((r) => r.kind === 'clusterLoadAssignment').map((r) => r.names)).toEqual([['b']]);

    // Subscribing again: the client lacks b, so it is sent to it, and to it alone.
    a.client.subscribe('clusterLoadAssignment', ['a', 'b', 'c']);
    expect((await a.sync()).map((r) => [r.kind, r.names])).toEqual([['clusterLoadAssignment', ['b']]]);
    expect(await b.sync()).toEqual([]);
    expect(a.stream.viewOf('clusterLoadAssignment')!.subscription.nameSetShared).toBe(b.stream.viewOf('clusterLoadAssignment')!.subscription.nameSetShared);
  });

  it('one stream subscribing to more names does not make the other receive them', async () => {
    const { cache, spec, a, b } = pair();
    const wider: FleetSpec = { ...spec, endpoints: { ...spec.endpoints, d: [4] } };
    cache.publish('f', fleetResources(wider), fleetOrigins(wider));
    await subscribedAlike([a, b]);
    a.client.subscribe('clusterLoadAssignment', ['a', 'b', 'c', 'd']);
    expect((await a.sync()).map((r) => r.names)).toEqual([['d']]);
    expect(await b.sync()).toEqual([]);
    expect(b.stream.viewOf('clusterLoadAssignment')!.subscription.covers('d')).toBe(false);
  });

  it('one stream NACKing leaves the other untouched: its NACK is its own, both get the fix, the other resolves nothing', async () => {
    const { cache, spec, nacks, resolved, a, b } = pair();
    await subscribedAlike([a, b]);
    cache.publish('f', fleetResources({ ...spec, endpoints: { ...spec.endpoints, c: [30] } }), fleetOrigins(spec));
    const [bad] = await a.drain();
    expect(bad).toMatchObject({ kind: 'clusterLoadAssignment', names: ['c'] });
    a.client.nack(bad!, 'resource index 0: bad endpoints');
    expect((await b.sync()).map((r) => [r.kind, r.names])).toEqual([['clusterLoadAssignment', ['c']]]);
    expect(nacks.map((n) => n.streamId)).toEqual([1]);
    expect(a.stream.status().types[typeUrlOf('clusterLoadAssignment')]?.nackCount).toBe(1);
    expect(b.stream.status().types[typeUrlOf('clusterLoadAssignment')]?.nackCount).toBe(0);
    expect(await a.drain()).toEqual([]); // the rejected version is not re-sent

    // A change elsewhere reaches both, and does not resolve the NACK.
    const next = { ...spec, endpoints: { ...spec.endpoints, a: [10], c: [30] } };
    cache.publish('f', fleetResources(next), fleetOrigins(spec));
    expect((await a.sync()).map((r) => r.names)).toEqual([['a']]);
    expect((await b.sync()).map((r) => r.names)).toEqual([['a']]);
    expect(resolved).toEqual([]);

    // The fix: both get c, only the stream that NACKed resolves.
    cache.publish('f', fleetResources({ ...next, endpoints: { ...next.endpoints, c: [31] } }), fleetOrigins(spec));
    expect((await a.sync()).map((r) => r.names)).toEqual([['c']]);
    expect((await b.sync()).map((r) => r.names)).toEqual([['c']]);
    expect(resolved.map((r) => r.streamId)).toEqual([1]);
  });
});

describe('push slots across streams', () => {
  it('a small response to a stream that reads gives its slot back once handed over; a large one, or one to a new stream, keeps it until written', async () => {
    const cache = new SnapshotCache();
    const env: StreamEnvironment = { ...recordingEnvironment(cache).env, throttle: new PushThrottle({ limit: 1 }) };
    const written: number[] = [];
    const pendingWrites: (() => void)[] = [];
    const streams = [1, 2, 3].map((id) => {
      const stream = new XdsStream(id, env, (bytes: Buffer, done: () => void) => {
        written.push(bytes.length);
        pendingWrites.push(done);
      }, DELTA);
      cache.onChange((_fleet, kinds) => stream.fleetChanged(kinds));
      return stream;
    });
    /** Completes the writes one at a time, each once the next has been asked for; returns how many went out meanwhile. */
    const oneAtATime = async (): Promise<number[]> => {
      const seen: number[] = [];
      for (let i = 0; i < 3; i++) {
        seen.push(pendingWrites.length);
        pendingWrites.shift()?.();
        await ticks();
      }
      return seen;
    };
    const hosts = (count: number): Record<string, string> => Object.fromEntries(Array.from({ length: count }, (_, i) => [`host-${i}.example.com`, 'a']));
    cache.publish('f', fleetResources({ routes: hosts(1), endpoints: { a: [1] } }), {});
    for (const stream of streams) {
      stream.handleRequest({ node: { id: `n${stream.streamId}`, cluster: 'f' }, type_url: typeUrlOf('routeConfiguration'), resource_names_subscribe: [ROUTE_CONFIG] } as DeltaDiscoveryRequest__Output);
    }
    await ticks();
    // New streams have not shown that they read: their small first responses go one at a time.
    expect(await oneAtATime()).toEqual([1, 1, 1]);
    expect(written).toHaveLength(3);

    // Now they have: a small change goes out to all three with no write completed.
    cache.publish('f', fleetResources({ routes: hosts(2), endpoints: { a: [1] } }), {});
    await ticks();
    expect(written.slice(3)).toHaveLength(3);
    expect(written.slice(3).every((size) => size <= SMALL_RESPONSE_BYTES)).toBe(true);
    expect(env.throttle.inFlight).toBe(0);
    expect(env.throttle.bytesInFlight).toBe(written.slice(3).reduce((a, b) => a + b, 0));
    for (const done of pendingWrites.splice(0)) done();
    await ticks();
    expect(env.throttle.bytesInFlight).toBe(0);

    // A large route table: one stream at a time, each until its write completes.
    cache.publish('f', fleetResources({ routes: hosts(2_000), endpoints: { a: [1] } }), {});
    await ticks();
    expect(written.slice(6)).toHaveLength(1);
    expect(written[6]).toBeGreaterThan(SMALL_RESPONSE_BYTES);
    expect(env.throttle.inFlight).toBe(1);
    expect(await oneAtATime()).toEqual([1, 1, 1]);
    expect(written.slice(6)).toHaveLength(3);
    expect(env.throttle.inFlight).toBe(0);
    for (const stream of streams) stream.close();
  });
});
