// One Ingress changed (a path edited) → translated and published, at N Ingresses, as cluster
// mode's reconcile does it: ChangeRouter.observe, the state as ClusterSource.snapshot() gives it,
// the translation, publishConfig to the xDS server (both views, gRPC view included) and
// ChangeRouter.rebuilt. "full" translates everything (buildEnvoyConfig, what every Ingress change
// cost before operator/src/incremental); "incremental" is IncrementalTranslator told what changed.
// Status and Event writes trail behind the publish and are not counted.
// Before measuring, a few edits go through the incremental path unmeasured: the first pay for
// compiling it, and for collecting the full translations just made (a gigabyte of garbage at
// 10,000 Ingresses), as the first edits after any full translation do (a class, parameters,
// Service or Secret change, the hourly certificate check). Their times are reported apart
// (incrementalAfterFullMs).
//   npx tsx bench/ingress-change.ts [--size 10000] [--runs 30] [--full-runs 5]
// Prints medians (ms) per stage and writes bench/results/ingress-change.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { silentLogger } from '../observability/src/index.js';
import { IncrementalTranslator } from '../operator/src/incremental/incremental-translator.js';
import { buildEnvoyConfig } from '../operator/src/pipeline.js';
import type { EnvoyConfig } from '../operator/src/pipeline.js';
import { ChangeRouter } from '../operator/src/relevance/change-router.js';
import { publishConfig } from '../operator/src/serve/fleet-publication.js';
import type { ServedFleet } from '../operator/src/serve/fleet-publication.js';
import type { ObjectChange } from '../operator/src/sources/kubernetes/reflector.js';
import type { ClusterState, SupportedKind, V1Ingress } from '../operator/src/store/cluster-state.js';
import { toTypedObject } from '../operator/src/store/typed-objects.js';
import { compareStrings } from '../operator/src/util/compare.js';
import { SortedObjects } from '../operator/src/sources/kubernetes/sorted-objects.js';
import { XdsServer } from '../xds-server/src/index.js';
import { median, timeMs } from './measure.js';
import { generateWorkload, ingressObject } from './workload.js';

const { values } = parseArgs({ options: { size: { type: 'string', default: '10000' }, runs: { type: 'string', default: '30' }, 'full-runs': { type: 'string', default: '5' } } });
const size = Number(values.size);
const runs = Number(values.runs);
const fullRuns = Number(values['full-runs']);
const WARM_UP_EDITS = 5;

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** What ClusterSource.snapshot() does on every reconcile: each kind in key order, kept sorted as changes arrive. */
const sortedIngresses = new SortedObjects();
function snapshot(state: ClusterState): ClusterState {
  return { ...state, ingresses: sortedIngresses.list(() => [...state.ingresses]) };
}

let state = generateWorkload(size);
// The other kinds do not change here: sorted once, as ClusterSource keeps them.
for (const kind of ['services', 'endpointSlices'] as const) state = { ...state, [kind]: [...state[kind]].sort((a, b) => compareStrings(keyOf(a), keyOf(b))) };
for (const list of Object.values(state) as { metadata?: { resourceVersion?: string } }[][]) for (const o of list) o.metadata = { ...o.metadata, resourceVersion: 'v1' };
const NOW = Date.now();
const server = new XdsServer({ logger: silentLogger });
const translator = new IncrementalTranslator();
let served: ServedFleet[] = [];
const router = new ChangeRouter({ ownership: { controllerName: 'portico.dev/ingress-controller' }, publisher: server, rebuild: () => undefined, scheduleEndpoints: () => undefined });

/** One reconcile; `stages` gets the time of each step. */
function reconcile(translate: (state: ClusterState) => EnvoyConfig, stages: Record<string, number[]>): void {
  const time = <T>(stage: string, action: () => T): T => {
    let result: T | undefined;
    (stages[stage] ??= []).push(timeMs(() => { result = action(); }));
    return result as T;
  };
  const sorted = time('snapshot', () => snapshot(state));
  const config = time('translate', () => translate(sorted));
  const result = time('publish', () => publishConfig(server, config, served));
  served = result.served;
  time('recordForEndpoints', () => router.rebuilt(config, result.problems));
}

const initial: ObjectChange[] = [];
for (const [kind, list] of [['IngressClass', state.ingressClasses], ['ClusterIngressClassParameters', state.clusterIngressClassParameters], ['Ingress', state.ingresses], ['Service', state.services], ['EndpointSlice', state.endpointSlices]] as [SupportedKind, { metadata?: object }[]][]) {
  for (const current of list) initial.push({ kind, key: keyOf(current), current });
}
router.observe(initial);
const warm: Record<string, number[]> = {};
reconcile((s) => buildEnvoyConfig(s, NOW), warm); // warm-up: JIT, proto loading
reconcile((s) => translator.translate(s, router.rebuilding(), NOW), warm);

const full: Record<string, number[]> = {};
const incremental: Record<string, number[]> = {};
const total = { full: [] as number[], incremental: [] as number[] };
const warmUpIncremental: Record<string, number[]> = {};
/** The unmeasured edits: the first after the warm-up's full translations. */
const afterFull: number[] = [];
for (let run = -WARM_UP_EDITS; run < runs + fullRuns; run++) {
  // First the incremental reconciles (from the translator's warm-up translation; the first few
  // unmeasured), then the full ones (whose garbage would otherwise land in the incremental
  // figures), each for its own edit.
  const path = run < runs ? 'incremental' : 'full';
  const measured = run >= 0;
  const index = ((run + WARM_UP_EDITS) * 7919) % state.ingresses.length;
  const previous = state.ingresses[index] as V1Ingress;
  const raw = ingressObject(index, previous.metadata?.namespace ?? '', run + WARM_UP_EDITS + 1) as { metadata: Record<string, unknown> };
  const current = toTypedObject<V1Ingress>('Ingress', { ...raw, metadata: { ...raw.metadata, resourceVersion: `r${run}` } });
  state = { ...state, ingresses: state.ingresses.map((ingress, i) => (i === index ? current : ingress)) };
  const change: ObjectChange = { kind: 'Ingress', key: keyOf(current), previous, current };
  sortedIngresses.apply([change], false);
  const before = translator.counters.incremental;
  const took = timeMs(() => {
    router.observe([change]);
    const changes = router.rebuilding();
    reconcile((s) => (path === 'full' ? buildEnvoyConfig(s, NOW) : translator.translate(s, changes, NOW)), !measured ? warmUpIncremental : path === 'full' ? full : incremental);
  });
  if (measured) total[path].push(took);
  else afterFull.push(took);
  if (path === 'incremental' && translator.counters.incremental !== before + 1) throw new Error(`run ${run}: the change was not translated incrementally (${JSON.stringify(translator.counters)})`);
}

const medians = (stages: Record<string, number[]>): Record<string, number> => Object.fromEntries(Object.entries(stages).map(([stage, samples]) => [stage, Number(median(samples).toFixed(2))]));
const result = {
  ingresses: size,
  fullMsMedian: Number(median(total.full).toFixed(1)),
  fullStagesMsMedian: medians(full),
  incrementalMsMedian: Number(median(total.incremental).toFixed(1)),
  incrementalMsP90: Number(([...total.incremental].sort((a, b) => a - b)[Math.ceil(0.9 * total.incremental.length) - 1] ?? 0).toFixed(1)),
  incrementalMsMax: Number(Math.max(...total.incremental).toFixed(1)),
  incrementalAfterFullMs: afterFull.map((ms) => Number(ms.toFixed(1))),
  incrementalStagesMsMedian: medians(incremental),
  goalMs: 20,
  goalMet: median(total.incremental) <= 20,
};
const loadAverage = os.loadavg().map((l) => Number(l.toFixed(2)));
console.log(JSON.stringify({ ...result, loadAverage }, null, 1));
const output = { load: loadAverage, command: `npx tsx bench/ingress-change.ts --size ${size} --runs ${runs} --full-runs ${fullRuns}`, node: process.version, date: new Date().toISOString(), result };
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'ingress-change.json'), `${JSON.stringify(output, null, 2)}\n`);
