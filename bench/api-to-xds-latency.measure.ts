// Run with `make bench-latency` (never part of `make test`: a benchmark, not a check).
// A measurement, not a check: how long from an API write until a proxyless gRPC client routes by
// it. 50 times, the seed Ingress's nginx1.example.com rule is patched to the other Service
// (nginx1 ↔ nginx2) and the client calls back to back until the answer flips. The clock starts
// just before the PATCH request and stops at the first call answered by the new backend, so it
// covers the API server, the watch, the operator's coalescing (default holdoff 100 ms, max 500 ms),
// translation, xDS push and the client's own update. Printed, and written with the command that
// produced it to bench/results/api-to-xds-latency.json. The only assertion is that all 50 arrived.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendNetwork } from '../e2e/support/netns.js';
import type { BackendNetwork } from '../e2e/support/netns.js';
import { REPO_ROOT } from '../e2e/support/portico-process.js';
import { xdsClient } from '../e2e/support/xds-clients.js';
import type { XdsTestClient } from '../e2e/support/xds-clients.js';
import { BACKEND_PORT, OPERATOR_NAMESPACE, answer, applySeedScenario, startOperator, startTestbed, untilSteady } from '../e2e/cluster/testbed.js';
import type { Operator, Testbed } from '../e2e/cluster/testbed.js';

const CHANGES = 50;
const COMMAND = 'make bench-latency';
const RESULT_FILE = join(REPO_ROOT, 'bench/results/api-to-xds-latency.json');

let bed: Testbed;
let net: BackendNetwork;
let operator: Operator;
let client: XdsTestClient;

beforeAll(async () => {
  bed = await startTestbed('latency');
  net = await createBackendNetwork({ addresses: 2 });
  const [a, b] = await Promise.all([net.startBackend('AAAAAA', net.addresses[0] ?? '', BACKEND_PORT), net.startBackend('BBBBBB', net.addresses[1] ?? '', BACKEND_PORT)]);
  await applySeedScenario(bed, { nginx1: [a.address], nginx2: [b.address] });
  // As deployed: leader election on, status written, the default coalescing.
  operator = await startOperator(bed, 'latency', {
    leaderElection: { namespace: OPERATOR_NAMESPACE, name: 'portico-latency' },
    statusAddress: { kind: 'fixed', addresses: ['192.0.2.7'] },
  });
  client = xdsClient({ nodeId: 'latency-nginx1', target: 'nginx1.example.com', fleet: 'nginx', xdsAddress: operator.xdsAddress });
  await untilSteady(client, (x) => x === 'AAAAAA', 'answer AAAAAA', 15_000);
}, 120_000);

afterAll(async () => {
  client?.client.close();
  await operator?.stop();
  await net?.destroy();
  await bed?.stop();
});

describe('API write → xDS client latency', () => {
  it(`measures ${CHANGES} Ingress changes`, async () => {
    const samples: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      const [serviceName, expected] = i % 2 === 0 ? ['nginx2', 'BBBBBB'] : ['nginx1', 'AAAAAA'];
      const started = performance.now();
      await bed.networking.patchNamespacedIngress({
        namespace: bed.namespace,
        name: 'name-virtual-host-ingress',
        body: [{ op: 'replace', path: '/spec/rules/0/http/paths/0/backend/service/name', value: serviceName }],
      });
      // Back-to-back calls (each ~1 ms over the veth): the first new answer ends the sample.
      const deadline = started + 10_000;
      while ((await answer(client)) !== expected) {
        if (performance.now() > deadline) throw new Error(`change ${i} (→ ${serviceName}) not seen within 10 s`);
      }
      samples.push(performance.now() - started);
    }
    expect(samples).toHaveLength(CHANGES);

    const sorted = [...samples].sort((x, y) => x - y);
    const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
    const round = (ms: number): number => Math.round(ms * 10) / 10;
    const result = {
      what: 'time from an Ingress PATCH request (API write) until a grpc-js-xds client routes by it',
      command: COMMAND,
      note: 'figures are from one run on this machine',
      measuredAt: new Date().toISOString(),
      changes: CHANGES,
      medianMs: round((at(0.5) + (sorted[Math.floor(sorted.length / 2)] ?? NaN)) / 2),
      p90Ms: round(at(0.9)),
      maxMs: round(sorted[sorted.length - 1] ?? NaN),
      minMs: round(sorted[0] ?? NaN),
      samplesMs: samples.map(round),
      setup: {
        apiServer: 'real kube-apiserver + etcd on loopback (e2e/harness)',
        operator: 'startClusterMode in-process, ServiceAccount portico-system/portico, leader, default holdoffMs 100 / maxDelayMs 500',
        client: '@grpc/grpc-js-xds, backends in a network namespace behind a veth',
        node: process.version,
        cpus: cpus().length,
      },
    };
    mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true });
    writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n');
    console.log(`API write → xDS client, ${CHANGES} changes: median ${result.medianMs} ms, p90 ${result.p90Ms} ms, max ${result.maxMs} ms (min ${result.minMs} ms) → ${RESULT_FILE}`);
  }, 120_000);
});
