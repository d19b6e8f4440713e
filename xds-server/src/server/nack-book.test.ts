import { describe, expect, it } from 'vitest';
import type { NackEvent } from '../protocol/nack.js';
import { KEPT_NAMES, NackBook } from './nack-book.js';

function nack(nodeId: string, names: number): NackEvent {
  const resources = Array.from({ length: names }, (_, i) => `default/svc-${i}/80`);
  return {
    time: '2026-11-29T00:00:00Z',
    kind: 'clusterLoadAssignment',
    streamId: 1,
    nodeId,
    fleet: 'f',
    typeUrl: 'type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment',
    nonce: '1',
    rejectedVersion: 'v1',
    clientVersion: '',
    responseResources: resources,
    rejectedResources: resources,
    errorCode: 3,
    errorMessage: 'bad',
    origins: resources.map((r) => `Ingress ${r}`),
  };
}

describe('NackBook', () => {
  it('keeps at most KEPT_NAMES names per list of a NACK, and says how many more there were', () => {
    const book = new NackBook();
    book.record(nack('envoy-1', 20_000));
    const [kept] = book.all()['envoy-1'] ?? [];
    expect(kept?.responseResources).toHaveLength(KEPT_NAMES + 1);
    expect(kept?.rejectedResources.at(-1)).toBe(`… and ${20_000 - KEPT_NAMES} more`);
    expect(kept?.origins[0]).toBe('Ingress default/svc-0/80');
    book.record(nack('envoy-2', 3));
    expect(book.all()['envoy-2']?.[0]?.responseResources).toEqual(['default/svc-0/80', 'default/svc-1/80', 'default/svc-2/80']);
  });

  it('says which nodes it forgets: to make room (the least recent), or when their last stream closed', () => {
    const book = new NackBook(2);
    expect(book.record(nack('envoy-1', 1))).toEqual([]);
    expect(book.record(nack('envoy-2', 1))).toEqual([]);
    expect(book.record(nack('envoy-3', 1))).toEqual(['envoy-1']);
    expect(book.forget('envoy-2')).toBe(true);
    expect(book.forget('envoy-2')).toBe(false);
    expect(Object.keys(book.all())).toEqual(['envoy-3']);
  });
});
