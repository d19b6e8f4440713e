// Issue 17's goals, marked met or not from the results the benchmarks wrote (the last step of
// `make bench`): one Ingress and one EndpointSlice change at 10,000 Ingresses, Delta and SotW at
// 1,000 × 1,000 against go-control-plane's LinearCache in the same run, and 10,000 × 1,000 Delta.
// A goal whose run is missing says so; nothing here measures anything.
//   npx tsx bench/goals.ts
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Run as ScaleRun } from './scale-runs.js';

const RESULTS = join(import.meta.dirname, 'results');

function read<T>(file: string): T | undefined {
  const path = join(RESULTS, file);
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

const ingress = read<{ result: { incrementalMsMedian: number } }>('ingress-change.json')?.result;
const endpoint = read<{ result: { endpointPathMsMedian: number } }>('endpoint-change.json')?.result;
const runs = read<{ runs: ScaleRun[] }>('scale.json')?.runs ?? [];
const run = (server: string, protocol: string, ingresses: number, clients: number): ScaleRun | undefined =>
  runs.find((r) => r.server === server && r.protocol === protocol && r.ingresses === ingresses && r.clients === clients);

type Row = [goal: string, measured: string, met: boolean | undefined];

/** What came before the measured changes, said next to a p99: the cold changes are not hidden. */
function warmedUp(r: ScaleRun): string {
  const warmup = r.warmupMs ?? [];
  if (warmup.length === 0) return '';
  const runs = r.repetitions?.length ?? 1;
  const range = `${ms(Math.min(...warmup))}–${ms(Math.max(...warmup))}`;
  if (runs > 1) return `; each run after ${warmup.length / runs} warm-up changes (${range})`;
  return `, after ${warmup.length} warm-up changes (${range}; the first ${ms(warmup[0] as number)})`;
}

/**
 * A p99 and how it was measured: one run's (the nearest rank: with 30 changes, the slowest), or
 * pooled over repeated runs, with each run's own p99 and how many of them were over the goal.
 * One decimal, as recorded, so that a p99 just under the goal does not read as on it.
 */
function p99Of(r: ScaleRun, goalMs: number): string {
  const oneDecimal = (value: number): string => value.toLocaleString('en-US', { maximumFractionDigits: 1 });
  const reps = r.repetitions ?? [];
  if (reps.length === 0) return `${oneDecimal(r.changeToAllAckedMs.p99)} ms (nearest rank over ${r.changes} changes)${warmedUp(r)}`;
  const own = reps.map((rep) => rep.changeToAllAckedMs.p99);
  const over = own.filter((p) => p > goalMs).length;
  return `${oneDecimal(r.changeToAllAckedMs.p99)} ms (nearest rank over ${r.changes} changes of ${reps.length} runs); each run's own p99: ${own.map(oneDecimal).join(', ')} ms, ${over} over ${oneDecimal(goalMs)} ms${warmedUp(r)}`;
}
const ms = (value: number): string => `${value.toLocaleString('en-US', { maximumFractionDigits: value < 10 ? 2 : 0 })} ms`;
const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;

const rows: Row[] = [];
rows.push(['one Ingress changed at 10,000 → translated and published ≤ 20 ms (median)', ingress ? ms(ingress.incrementalMsMedian) : 'not measured', ingress && ingress.incrementalMsMedian <= 20]);
rows.push(['one EndpointSlice changed at 10,000 ≤ 5 ms (median)', endpoint ? ms(endpoint.endpointPathMsMedian) : 'not measured', endpoint && endpoint.endpointPathMsMedian <= 5]);
const delta = run('portico', 'delta', 1000, 1000);
const linearDelta = run('linear', 'delta', 1000, 1000);
rows.push(['Delta 1,000 × 1,000: p99 ≤ 100 ms', delta ? p99Of(delta, 100) : 'not measured', delta && delta.changeToAllAckedMs.p99 <= 100]);
rows.push([
  'Delta 1,000 × 1,000: median ≤ 0.5× LinearCache',
  delta && linearDelta ? `${ms(delta.changeToAllAckedMs.median)} vs ${ms(linearDelta.changeToAllAckedMs.median)} (${ratio(delta.changeToAllAckedMs.median, linearDelta.changeToAllAckedMs.median)})` : 'not measured',
  delta && linearDelta && delta.changeToAllAckedMs.median <= 0.5 * linearDelta.changeToAllAckedMs.median,
]);
const big = run('portico', 'delta', 10000, 1000);
rows.push(['Delta 10,000 × 1,000: p99 ≤ 500 ms', big ? p99Of(big, 500) : 'not measured', big && big.changeToAllAckedMs.p99 <= 500]);
rows.push(['Delta 10,000 × 1,000: peak RSS ≤ 1.5 GiB', big ? `${(big.peakRssMiB / 1024).toFixed(2)} GiB` : 'not measured', big && big.peakRssMiB <= 1.5 * 1024]);
const sotw = run('portico', 'sotw', 1000, 1000);
const linearSotw = run('linear', 'sotw', 1000, 1000);
rows.push([
  'SotW 1,000 × 1,000: median ≤ 1.0× LinearCache',
  sotw && linearSotw ? `${ms(sotw.changeToAllAckedMs.median)} vs ${ms(linearSotw.changeToAllAckedMs.median)} (${ratio(sotw.changeToAllAckedMs.median, linearSotw.changeToAllAckedMs.median)})` : 'not measured',
  sotw && linearSotw && sotw.changeToAllAckedMs.median <= linearSotw.changeToAllAckedMs.median,
]);

console.log('| goal (issue 17) | measured | |');
console.log('|---|---|---|');
for (const [goal, measured, met] of rows) console.log(`| ${goal} | ${measured} | ${met === undefined ? 'not measured' : met ? 'met' : 'not met'} |`);
