// A rejection by a data-plane client reaches the user: in cluster mode, a client of the fleet
// NACKs the RouteConfiguration; the operator traces the NACK to the Ingresses that produced it,
// writes a Warning Event on them, and once the client accepts a later version (the Ingress was
// fixed), a Normal Event says the problems are resolved. The client is a raw ADS client that
// rejects on purpose: nothing Portico emits is rejected by grpc-js-xds any more (the gRPC view
// leaves out what gRPC cannot take), and no Envoy runs here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Event } from '@kubernetes/client-node';
import { RawAdsClient } from '../../xds-server/src/test-support/raw-ads-client.js';
import { applySeedScenario, eventually, startOperator, startTestbed } from './testbed.js';
import type { Operator, Testbed } from './testbed.js';

let bed: Testbed;
let operator: Operator;
let client: RawAdsClient;

beforeAll(async () => {
  bed = await startTestbed('nack');
  await applySeedScenario(bed, { nginx1: ['10.1.0.1'], nginx2: ['10.1.0.2'] });
  operator = await startOperator(bed, 'nack', { leaderElection: false });
  client = new RawAdsClient(operator.xdsAddressFor('nginx'), { id: 'nack-client', cluster: 'nginx' });
}, 120_000);

afterAll(async () => {
  client?.close();
  await operator?.stop();
  await bed?.stop();
});

async function eventsOfSeedIngress(): Promise<CoreV1Event[]> {
  const list = await bed.core.listNamespacedEvent({ namespace: bed.namespace, fieldSelector: 'involvedObject.name=name-virtual-host-ingress' });
  return list.items;
}

describe('NACKs become Events', () => {
  it('names the rejected resource and the client\'s reason on the Ingress, then clears when a later version is accepted', async () => {
    client.subscribe('routeConfiguration', ['http']);
    const first = await client.next('routeConfiguration', 15_000);
    client.nack(first, 'route validation failed: this client refuses the table (test)', ['http']);
    const warning = await eventually('a Warning Event for the NACK', async () =>
      (await eventsOfSeedIngress()).find((e) => e.type === 'Warning' && /rejected routeConfiguration/.test(e.message ?? '')),
    );
    expect(warning.message).toContain('a client of fleet nginx rejected routeConfiguration http: route validation failed: this client refuses the table (test)');
    expect(warning.reason).toBe('ConfigurationError');

    // The Ingress changes (a new path), the table gets a new version, and the client accepts it.
    await bed.networking.patchNamespacedIngress({
      namespace: bed.namespace,
      name: 'name-virtual-host-ingress',
      body: [{ op: 'add', path: '/metadata/annotations', value: { 'example.com/touched': 'yes' } }, { op: 'replace', path: '/spec/rules/0/http/paths/0/path', value: '/v2' }],
    });
    const next = await client.next('routeConfiguration', 15_000);
    expect(next.versionInfo).not.toBe(first.versionInfo);
    client.ack(next, ['http']);
    const resolved = await eventually('a Normal Event once the client accepts again', async () =>
      (await eventsOfSeedIngress()).find((e) => e.type === 'Normal' && e.reason === 'ConfigurationValid'),
    );
    expect(resolved.message).toBe('all problems reported earlier are resolved');
    expect(operator.forbidden()).toEqual([]);
  }, 60_000);
});
