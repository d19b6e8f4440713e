// The stream state machine without a network: what a slow client gets, and how much it holds.
import { describe, expect, it } from 'vitest';
import { SnapshotCache } from '../cache/snapshot-cache.js';
import { silentLogger } from '../log/logger.js';
import { messageType, typeUrlOf } from '../protos/envoy-protos.js';
import { fleetResources } from '../test-support/fleet-fixtures.js';
import { PushThrottle } from './push-throttle.js';
import { SOTW } from './sotw-protocol.js';
import type { StreamHooks } from './stream-environment.js';
import { XdsStream } from './xds-stream.js';

const noHooks: StreamHooks = {
  identified: () => undefined,
  responded: () => undefined,
  acked: () => undefined,
  nacked: () => undefined,
  nackResolved: () => undefined,
  staleNonce: () => undefined,
};

function decodeResponse(bytes: Buffer): { version_info: string; nonce: string; resources: unknown[] } {
  const type = messageType('envoy.service.discovery.v3.DiscoveryResponse');
  return type.toObject(type.decode(bytes), { arrays: true }) as { version_info: string; nonce: string; resources: unknown[] };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('XdsStream (SotW)', () => {
  it('keeps one response in flight for a slow client and coalesces its backlog to the newest state', async () => {
    const cache = new SnapshotCache();
    const spec = (port: number) => ({ routes: { 'a.example.com': 'c' }, endpoints: { c: [port] } });
    cache.publish('f', fleetResources(spec(1)), {});
    const writes: { bytes: Buffer; done: () => void }[] = [];
    const stream = new XdsStream(
      1,
      { snapshotOf: (fleet) => cache.get(fleet), throttle: new PushThrottle({ limit: 10 }), hooks: noHooks, logger: silentLogger, clusterAckWaitMs: 0 },
      (bytes, done) => void writes.push({ bytes, done }),
      SOTW,
    );
    cache.onChange((_fleet, changed) => stream.fleetChanged(changed));
    stream.handleRequest({ node: { id: 'n', cluster: 'f' }, type_url: typeUrlOf('clusterLoadAssignment'), resource_names: ['c'] });
    await tick();
    expect(writes).toHaveLength(1);

    // The client does not read: 50 changes later there is still a single write outstanding.
    for (let port = 2; port <= 50; port++) cache.publish('f', fleetResources(spec(port)), {});
    await tick();
    expect(writes).toHaveLength(1);

    writes[0]?.done();
    await tick();
    expect(writes).toHaveLength(2);
    const latest = decodeResponse(writes[1]?.bytes ?? Buffer.alloc(0));
    expect(latest.version_info).toBe(cache.get('f').types.clusterLoadAssignment.version);
    writes[1]?.done();
    await tick();
    expect(writes).toHaveLength(2);
    stream.close();
  });
});
