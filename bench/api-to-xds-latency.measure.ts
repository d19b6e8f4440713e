// Run with `make bench-latency` (never part of `make test`: a benchmark, not a check).
// A measurement, not a check: how long from an API write until a proxyless gRPC client routes by
// it. The seed Ingress's nginx1.example.com rule is patched to the other Service (nginx1 ↔ nginx2)
// and the client calls back to back until the answer flips. The clock starts just before the PATCH
// request and stops at the first call answered by the new backend, so it covers the API server,
// the watch, the operator's coalescing, translation, xDS push and the client's own update. Two
// series of 50: isolated changes, each after a second of quiet (reconciled at once, decision
// 0016), and back-to-back changes, each sent as soon as the last was seen (a burst, which waits
// for the 100 ms holdoff). Printed, and written with the command that produced it to
// bench/results/api-to-xds-latency.json. The only assertion is that all changes arrived.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackendNetwork } from '../e2e/support/netns.js';
import type { BackendNetwork } from '../e2e/support/netns.js';
import { REPO_ROOT } from '../e2e/support/portico-process.js';
import { xdsClient } from '../e2e/support/xds-clients.js';
import type { XdsTestClient } from '../e2e/support/xds-clients.js';
import { BACKEND_PORT, OPERATOR_NAMESPACE, answer, applySeedScenario, startOperator, startTestbed, untilSteady } from '../e2e/cluster/testbed.js';
import type { Operator, Testbed } from '../e2e/cluster/testbed.js';

const CHANGES = 50;
/** Quiet before each isolated change: well past the holdoff, as between two people's edits. */
const QUIET_MS = 1_000;
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
  client = xdsClient({ nodeId: 'latency-nginx1', target: 'nginx1.example.com', fleet: 'nginx', xdsAddress: operator.xdsAddressFor('nginx') });
  await untilSteady(client, (x) => x === 'AAAAAA', 'answer AAAAAA', 15_000);
}, 120_000);

afterAll(async () => {
  client?.client.close();
  await operator?.stop();
  await net?.destroy();
  await bed?.stop();
});

const round = (ms: number): number => Math.round(ms * 10) / 10;

/** Median, p90, max and min of samples, rounded to 0.1 ms. */
function summary(samples: readonly number[]): { medianMs: number; p90Ms: number; maxMs: number; minMs: number; samplesMs: number[] } {
  const sorted = [...samples].sort((x, y) => x - y);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return {
    medianMs: round((at(0.5) + (sorted[Math.floor(sorted.length / 2)] ?? NaN)) / 2),
    p90Ms: round(at(0.9)),
    maxMs: round(sorted[sorted.length - 1] ?? NaN),
    minMs: round(sorted[0] ?? NaN),
    samplesMs: samples.map(round),
  };
}

let flips = 0;
/** Patches the rule to the other Service and times it until the client's answer flips. */
async function timedChange(): Promise<number> {
  const i = flips++;
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
  return performance.now() - started;
}

describe('API write → xDS client latency', () => {
  it(`measures ${CHANGES} isolated and ${CHANGES} back-to-back Ingress changes`, async () => {
    const isolated: number[] = [];
    for (let i = 0; i < CHANGES; i++) {
      await sleep(QUIET_MS);
      isolated.push(await timedChange());
    }
    const backToBack: number[] = [];
    for (let i = 0; i < CHANGES; i++) backToBack.push(await timedChange());
    expect(isolated).toHaveLength(CHANGES);
    expect(backToBack).toHaveLength(CHANGES);

    const result = {
      what: 'time from an Ingress PATCH request (API write) until a grpc-js-xds client routes by it',
      command: COMMAND,
      note: 'figures are from one run on this machine',
      measuredAt: new Date().toISOString(),
      changes: CHANGES,
      isolated: { what: `each change after ${QUIET_MS} ms of quiet`, ...summary(isolated) },
      backToBack: { what: 'each change as soon as the last was seen', ...summary(backToBack) },
      setup: {
        apiServer: 'real kube-apiserver + etcd on loopback (e2e/harness)',
        operator: 'startClusterMode in-process, ServiceAccount portico-system/portico, leader, default coalescing (holdoff 100 ms, at most 500 ms; a change after 100 ms without a reconcile at once)',
        client: '@grpc/grpc-js-xds, backends in a network namespace behind a veth',
        node: process.version,
        cpus: cpus().length,
      },
    };
    mkdirSync(join(REPO_ROOT, 'bench/results'), { recursive: true });
    writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2) + '\n');
    for (const [name, s] of [['isolated', result.isolated], ['back to back', result.backToBack]] as const) {
      console.log(`API write → xDS client, ${CHANGES} ${name}: median ${s.medianMs} ms, p90 ${s.p90Ms} ms, max ${s.maxMs} ms (min ${s.minMs} ms)`);
    }
    console.log(`→ ${RESULT_FILE}`);
  }, 240_000);
});
