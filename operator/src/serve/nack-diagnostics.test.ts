import { describe, expect, it } from 'vitest';
import type { NackEvent } from '../../../xds-server/src/index.js';
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

describe('NackDiagnostics.expire', () => {
  it('drops a NACK once the xDS server no longer holds it (its client disconnected), and never asks the server when nothing is open', () => {
    const nacks = new NackDiagnostics();
    let asked = 0;
    expect(nacks.expire(() => (asked++, {}))).toBe(false);
    expect(asked).toBe(0);
    nacks.record(nack('envoy-1'));
    nacks.record(nack('envoy-2', { streamId: 2 }));
    // envoy-1 is still connected; envoy-2's stream closed, so the server forgot it.
    expect(nacks.expire(() => ({ 'envoy-1': [nack('envoy-1')] }))).toBe(true);
    expect(nacks.size).toBe(1);
    expect(nacks.expire(() => ({ 'envoy-1': [nack('envoy-1')] }))).toBe(false);
    // A NACK the server holds from a newer stream or response is not the one recorded here: that
    // one is recorded when it arrives, and the old one goes.
    expect(nacks.expire(() => ({ 'envoy-1': [nack('envoy-1', { streamId: 3 })] }))).toBe(true);
    expect(nacks.diagnostics()).toEqual([]);
  });

  it('brings a leader and a follower to the same report once the NACKing client has moved from one to the other', () => {
    // The client NACKed at the leader, then reconnected to the follower with the fix and accepted.
    const leader = new NackDiagnostics();
    const follower = new NackDiagnostics();
    leader.record(nack('envoy-1'));
    expect(leader.diagnostics()).not.toEqual(follower.diagnostics());
    leader.expire(() => ({}));
    expect(leader.diagnostics()).toEqual(follower.diagnostics());
  });
});
