import { afterEach, describe, expect, it } from 'vitest';
import type { NackEvent } from '../../../xds-server/src/index.js';
import { fleetOrigins, fleetResources } from '../../../xds-server/src/test-support/fleet-fixtures.js';
import type { FleetSpec } from '../../../xds-server/src/test-support/fleet-fixtures.js';
import { RawAdsClient } from '../../../xds-server/src/test-support/raw-ads-client.js';
import { startTestServer, waitFor } from '../../../xds-server/src/test-support/test-server.js';
import type { TestServer } from '../../../xds-server/src/test-support/test-server.js';
import { NackDiagnostics } from './nack-diagnostics.js';

function nack(nodeId: string, overrides: Partial<NackEvent> = {}): NackEvent {
  return {
    time: '2026-01-01T00:00:00.000Z',
    nodeId,
    fleet: 'nginx',
    streamId: 1,
    kind: 'routeConfiguration',
    typeUrl: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration',
    nonce: '1',
    rejectedVersion: 'v2',
    clientVersion: 'v1',
    responseResources: ['http'],
    rejectedResources: ['http'],
    errorCode: 13,
    errorMessage: 'unsupported action: redirect',
    origins: ['Ingress default/a', 'Ingress default/b'],
    ...overrides,
  };
}

describe('NackDiagnostics', () => {
  it('reports one error per origin however many nodes rejected the same thing, until resolved', () => {
    const nacks = new NackDiagnostics();
    nacks.record(nack('envoy-1'));
    nacks.record(nack('envoy-2'));
    expect(nacks.diagnostics()).toEqual([
      { object: 'Ingress default/a', severity: 'error', message: 'a client of fleet nginx rejected routeConfiguration http: unsupported action: redirect' },
      { object: 'Ingress default/b', severity: 'error', message: 'a client of fleet nginx rejected routeConfiguration http: unsupported action: redirect' },
    ]);
    const previous = nack('envoy-1');
    nacks.resolve({ time: '', nodeId: 'envoy-1', fleet: 'nginx', streamId: 1, kind: 'routeConfiguration', typeUrl: previous.typeUrl, version: 'v3', previous });
    expect(nacks.diagnostics()).toHaveLength(2);
    nacks.resolve({ time: '', nodeId: 'envoy-2', fleet: 'nginx', streamId: 1, kind: 'routeConfiguration', typeUrl: previous.typeUrl, version: 'v3', previous });
    expect(nacks.diagnostics()).toEqual([]);
  });
});

describe('NackDiagnostics.forget', () => {
  it('drops a node\'s NACKs once the xDS server forgot them (its client disconnected), and only that node\'s', () => {
    const nacks = new NackDiagnostics();
    nacks.record(nack('envoy-1'));
    nacks.record(nack('envoy-2', { streamId: 2 }));
    // envoy-1 is still connected; envoy-2's stream closed, so the server forgot it.
    expect(nacks.forget('envoy-2')).toBe(true);
    expect(nacks.size).toBe(1);
    expect(nacks.forget('envoy-2')).toBe(false);
    expect(nacks.forget('envoy-1')).toBe(true);
    expect(nacks.diagnostics()).toEqual([]);
  });

  it('brings a leader and a follower to the same report once the NACKing client has moved from one to the other', () => {
    // The client NACKed at the leader, then reconnected to the follower with the fix and accepted.
    const leader = new NackDiagnostics();
    const follower = new NackDiagnostics();
    leader.record(nack('envoy-1'));
    expect(leader.diagnostics()).not.toEqual(follower.diagnostics());
    leader.forget('envoy-1');
    expect(leader.diagnostics()).toEqual(follower.diagnostics());
  });
});

describe('NackDiagnostics with a real xDS server', () => {
  const SPEC: FleetSpec = { routes: { 'web.example.com': 'default/web/80' }, endpoints: { 'default/web/80': [50001] } };
  const cleanups: Array<() => unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A replica: an xDS server serving the fleet, and the operator's NACK reports fed by it. */
  async function replica(): Promise<{ s: TestServer; nacks: NackDiagnostics }> {
    const s = await startTestServer();
    cleanups.push(() => s.server.shutdown(200));
    s.server.publishFleet('nginx', fleetResources(SPEC), fleetOrigins(SPEC));
    const nacks = new NackDiagnostics();
    s.server.onNack((event) => nacks.record(event));
    s.server.onNackResolved((event) => nacks.resolve(event));
    s.server.onNacksForgotten((nodeId) => nacks.forget(nodeId));
    return { s, nacks };
  }

  it('drops the report of a client that NACKed and disconnected, so the leader agrees with the follower it moved to', async () => {
    const leader = await replica();
    const follower = await replica();
    const first = new RawAdsClient(leader.s.address, { id: 'envoy-1', cluster: 'nginx' });
    cleanups.push(() => first.close());
    first.subscribe('clusterLoadAssignment', ['default/web/80']);
    first.nack(await first.next('clusterLoadAssignment'), 'bad endpoint', ['default/web/80']);
    await waitFor(() => leader.nacks.size > 0, 2_000, 'the NACK report');
    expect(leader.nacks.diagnostics().map((d) => d.object)).toEqual(['Ingress default/default/web/80']);

    // The client goes (the same node id now connects to the follower, and accepts).
    first.close();
    const second = new RawAdsClient(follower.s.address, { id: 'envoy-1', cluster: 'nginx' });
    cleanups.push(() => second.close());
    second.subscribe('clusterLoadAssignment', ['default/web/80']);
    second.ack(await second.next('clusterLoadAssignment'), ['default/web/80']);
    await waitFor(() => leader.nacks.size === 0, 2_000, 'the report to go with its stream');
    expect(leader.nacks.diagnostics()).toEqual(follower.nacks.diagnostics());
    expect(leader.nacks.diagnostics()).toEqual([]);
  });
});
