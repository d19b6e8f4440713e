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
