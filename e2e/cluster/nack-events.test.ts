// A rejection by a data-plane client reaches the user: in cluster mode, a route a proxyless gRPC
// client cannot take (an ingress-nginx app-root redirect: gRPC NACKs redirect actions) makes the
// client NACK the RouteConfiguration; the operator traces the NACK to the Ingress that produced
// it, writes a Warning Event on that Ingress, and when the Ingress is fixed and the client
// accepts the configuration again, a Normal Event says the problems are resolved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CoreV1Event } from '@kubernetes/client-node';
import { createBackendNetwork } from '../support/netns.js';
import type { BackendNetwork } from '../support/netns.js';
import { xdsClient } from '../support/xds-clients.js';
import type { XdsTestClient } from '../support/xds-clients.js';
import { BACKEND_PORT, applySeedScenario, eventually, startOperator, startTestbed, untilSteady } from './testbed.js';
import type { Operator, Testbed } from './testbed.js';

const APP_ROOT = 'nginx.ingress.kubernetes.io/app-root';

let bed: Testbed;
let net: BackendNetwork;
let operator: Operator;
let client: XdsTestClient;

beforeAll(async () => {
  bed = await startTestbed('nack');
  net = await createBackendNetwork({ addresses: 1 });
  const a = await net.startBackend('AAAAAA', net.addresses[0] ?? '', BACKEND_PORT);
  await applySeedScenario(bed, { nginx1: [a.address], nginx2: [a.address] });
  operator = await startOperator(bed, 'nack', { leaderElection: false });
  client = xdsClient({ nodeId: 'nack-client', target: 'nginx1.example.com', fleet: 'nginx', xdsAddress: operator.xdsAddressFor('nginx') });
  await untilSteady(client, (x) => x === 'AAAAAA', 'answer AAAAAA', 15_000);
}, 120_000);

afterAll(async () => {
  client?.client.close();
  await operator?.stop();
  await net?.destroy();
  await bed?.stop();
});

async function eventsOfSeedIngress(): Promise<CoreV1Event[]> {
  const list = await bed.core.listNamespacedEvent({ namespace: bed.namespace, fieldSelector: 'involvedObject.name=name-virtual-host-ingress' });
  return list.items;
}

describe('NACKs become Events', () => {
  it('names the rejected resource and the client\'s reason on the Ingress, then clears when fixed', async () => {
    await bed.networking.patchNamespacedIngress({
      namespace: bed.namespace,
      name: 'name-virtual-host-ingress',
      body: [{ op: 'add', path: '/metadata/annotations', value: { [APP_ROOT]: '/app' } }],
    });
    const warning = await eventually('a Warning Event for the NACK', async () =>
      (await eventsOfSeedIngress()).find((e) => e.type === 'Warning' && /rejected routeConfiguration/.test(e.message ?? '')),
    );
    expect(warning.message).toContain('a client of fleet nginx rejected routeConfiguration grpc:nginx1.example.com: xDS response validation errors');
    expect(warning.reason).toBe('ConfigurationError');

    await bed.networking.patchNamespacedIngress({
      namespace: bed.namespace,
      name: 'name-virtual-host-ingress',
      body: [{ op: 'remove', path: '/metadata/annotations' }],
    });
    const resolved = await eventually('a Normal Event once the client accepts again', async () =>
      (await eventsOfSeedIngress()).find((e) => e.type === 'Normal' && e.reason === 'ConfigurationValid'),
    );
    expect(resolved.message).toBe('all problems reported earlier are resolved');
    await untilSteady(client, (x) => x === 'AAAAAA', 'answer AAAAAA after the fix', 15_000);
    expect(operator.forbidden()).toEqual([]);
  }, 60_000);
});
