// Streams in the same position get one message, over real sockets: the same bytes, nonce
// included, for SotW and Delta; a stream that would get that message again while the first is
// unanswered gets a copy with a nonce of its own; another fleet never gets the same message.
import { describe, expect, it } from 'vitest';
import { ROUTE_CONFIG, fleetOrigins, fleetResources } from '../test-support/fleet-fixtures.js';
import type { FleetSpec } from '../test-support/fleet-fixtures.js';
import type { RawAdsClient } from '../test-support/raw-ads-client.js';
import type { RawDeltaClient } from '../test-support/raw-delta-client.js';
import type { TestServer } from '../test-support/test-server.js';
import { testScope } from '../test-support/test-scope.js';

const spec = (generation: number): FleetSpec => ({
  routes: { [`gen-${generation}.example.com`]: 'default/app/80', 'nginx1.example.com': 'default/app/80' },
  endpoints: { 'default/app/80': [50001] },
});

const { start, sotwClient: raw, deltaClient } = testScope();

function publish(s: TestServer, fleet: string, generation: number): void {
  s.server.publishFleet(fleet, fleetResources(spec(generation)), fleetOrigins(spec(generation)));
}

const sotwClient = (s: TestServer, id: string, cluster = 'web'): RawAdsClient => raw(s.address, { id, cluster });

describe('responses shared by streams in the same position', () => {
  it('SotW: clients in sync receive the very same bytes for every change, and a repeat while unanswered gets a nonce of its own', async () => {
    const s = await start();
    publish(s, 'web', 0);
    const clients = [sotwClient(s, 'envoy-1'), sotwClient(s, 'envoy-2'), sotwClient(s, 'envoy-3')];
    for (const c of clients) c.subscribe('routeConfiguration', [ROUTE_CONFIG]);
    let responses = await Promise.all(clients.map((c) => c.next('routeConfiguration')));
    for (let generation = 1; generation <= 3; generation++) {
      const [first, ...others] = responses;
      for (const other of others) expect(other?.bytes.equals(first?.bytes ?? Buffer.alloc(0))).toBe(true);
      expect(first?.nonce).toMatch(/^s\d+$/);
      clients.forEach((c, i) => c.ack(responses[i] ?? first!, [ROUTE_CONFIG]));
      publish(s, 'web', generation);
      responses = await Promise.all(clients.map((c) => c.next('routeConfiguration')));
      expect(responses[0]?.nonce).not.toBe(first?.nonce);
      expect(responses[0]?.resources[0]?.object).toMatchObject({ virtual_hosts: expect.arrayContaining([expect.objectContaining({ name: `gen-${generation}.example.com` })]) });
    }

    // Asked again from scratch (an empty nonce) before answering: the same content again, but
    // never under the nonce still waiting for its answer.
    const [client] = clients;
    const pending = responses[0];
    client?.send({ type_url: pending?.typeUrl ?? '', resource_names: [ROUTE_CONFIG] });
    const repeat = await client?.next('routeConfiguration');
    expect(repeat?.versionInfo).toBe(pending?.versionInfo);
    expect(repeat?.nonce).not.toBe(pending?.nonce);
    client?.ack(repeat!, [ROUTE_CONFIG]);
    expect(await client?.quietFor(300, 'routeConfiguration')).toBe(true);
  });

  it('never sends one stream the same nonce twice, even when content comes back (A, B, A) before it answers', async () => {
    const s = await start();
    const withTimeout = (seconds?: number): ReturnType<typeof fleetResources> => {
      const resources = fleetResources(spec(0));
      if (seconds !== undefined) resources.clusters[0] = { ...resources.clusters[0], connect_timeout: { seconds } };
      return resources;
    };
    s.server.publishFleet('web', withTimeout(), fleetOrigins(spec(0)));
    // Another stream in sync takes each message first, so the shared ones exist.
    const [late, other] = [sotwClient(s, 'late'), sotwClient(s, 'other')];
    for (const c of [late, other]) c.subscribe('cluster');
    const first = await late.next('cluster');
    other.ack(await other.next('cluster'));
    s.server.publishFleet('web', withTimeout(7), fleetOrigins(spec(0)));
    const second = await late.next('cluster');
    other.ack(await other.next('cluster'));
    s.server.publishFleet('web', withTimeout(), fleetOrigins(spec(0)));
    const third = await late.next('cluster');
    expect(third.versionInfo).toBe(first.versionInfo);
    // A late answer to the first response must never pass for an answer to the third.
    expect(new Set([first.nonce, second.nonce, third.nonce]).size).toBe(3);
  });

  it('Delta: clients in sync receive the very same bytes; another fleet with the same content gets a message of its own', async () => {
    const s = await start();
    publish(s, 'web', 0);
    publish(s, 'mirror', 0);
    const delta = (id: string, cluster: string): RawDeltaClient => deltaClient(s.address, { id, cluster });
    const clients = [delta('envoy-1', 'web'), delta('envoy-2', 'web'), delta('elsewhere', 'mirror')];
    for (const c of clients) c.subscribe('cluster', []);
    const [a, b, other] = await Promise.all(clients.map((c) => c.next('cluster')));
    expect(b?.bytes.equals(a?.bytes ?? Buffer.alloc(0))).toBe(true);
    expect(other?.resources.map((r) => r.name)).toEqual(a?.resources.map((r) => r.name));
    expect(other?.nonce).not.toBe(a?.nonce);
  });
});
