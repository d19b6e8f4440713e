// Scale benchmark: Portico's xDS server against go-control-plane, with the same simulated Envoy
// fleet and the same sequence of single-Ingress changes.
//   npx tsx bench/scale.ts [--scenarios 1000x100,1000x1000] [--changes 30]
//                          [--servers portico,snapshot,linear] [--protocol sotw]
// Per scenario (Ingresses × clients): writes the workload as manifests to a temp folder, then per
// server: starts it, connects the fleet, and edits one Ingress manifest per change, timing from the
// edit until every client has ACKed the new configuration. Portico runs as `portico serve
// --manifests` and picks the edit up itself; the peer (bench/peer, go-control-plane) is handed the
// output of `portico translate -o json` for the edited folder, and timing starts when it is told.
// Writes bench/results/scale.json and bench/results/scale.svg and prints a table with ratios.
// Needs `npm run build` (uses dist/) and Go (builds the peer into ~/.cache/portico/bench/).
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Fleet, nowMs, sleep } from './fleet/fleet.js';
import type { Protocol } from './fleet/client.js';
import { renderChart } from './scale-chart.js';
import { editIngressManifest, writeWorkloadManifests } from './workload.js';

const ROOT = join(import.meta.dirname, '..');
const PORTICO = join(ROOT, 'dist/operator/src/cli/main.js');
const PEER_DIR = join(import.meta.dirname, 'peer');
const PEER_BIN = join(process.env['PORTICO_CACHE'] ?? join(homedir(), '.cache/portico'), 'bench/portico-peer');
const NODE_CLUSTER = 'portico'; // the workload's IngressClass, which names the fleet
const QUIET_MS = 400;

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: '1000x100,1000x1000' },
    changes: { type: 'string', default: '30' },
    servers: { type: 'string', default: 'portico,snapshot,linear' },
    protocol: { type: 'string', default: 'sotw' },
  },
});
const scenarios = (values.scenarios ?? '').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const changes = Number(values.changes);
const servers = (values.servers ?? '').split(',') as ServerName[];
const protocol = values.protocol as Protocol;

type ServerName = 'portico' | 'snapshot' | 'linear';

interface Run {
  server: ServerName;
  protocol: Protocol;
  ingresses: number;
  clients: number;
  changes: number;
  /** Portico: config.applied durationMs (read folder + translate + publish), median over changes; peer: parse JSON + set cache. */
  applyMsMedian: number;
  initialApplyMs: number;
  connectMs: number;
  changeToAllAckedMs: { median: number; p99: number; max: number; min: number };
  bytesPerChange: { median: number; max: number };
  serverCpuSeconds: { total: number; changes: number };
  peakRssMiB: number;
}

// ---- process metrics from /proc ----

const TICKS_PER_SECOND = 100;
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime (fields 14, 15)
}
function peakRssMiB(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function stats(samples: number[]): { median: number; p99: number; max: number; min: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const round = (n: number): number => Math.round(n * 10) / 10;
  return { median: round(at(0.5)), p99: round(at(0.99)), max: round(sorted[sorted.length - 1] ?? NaN), min: round(sorted[0] ?? NaN) };
}

/** Line-by-line reader of a child's output that can wait for a matching line. */
class Lines {
  private readonly seen: string[] = [];
  private waiters: { test: (line: string) => boolean; resolve: (line: string) => void }[] = [];
  constructor(stream: NodeJS.ReadableStream) {
    createInterface({ input: stream }).on('line', (line) => {
      const waiter = this.waiters.find((w) => w.test(line));
      if (waiter) {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.resolve(line);
      } else {
        this.seen.push(line);
      }
    });
  }
  /** The next line (already seen and unclaimed, or future) that matches. */
  next(test: (line: string) => boolean, timeoutMs: number): Promise<string> {
    const index = this.seen.findIndex(test);
    if (index >= 0) return Promise.resolve(this.seen.splice(index, 1)[0] ?? '');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching line within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ test, resolve: (line) => { clearTimeout(timer); resolve(line); } });
    });
  }
  drain(test: (line: string) => boolean): string[] {
    const matched = this.seen.filter(test);
    this.seen.splice(0, this.seen.length, ...this.seen.filter((l) => !test(l)));
    return matched;
  }
}

const applied = (line: string): boolean => line.includes('"event":"config.applied"');
const durationOf = (line: string): number => Number((JSON.parse(line) as { durationMs?: number }).durationMs ?? NaN);

function ensurePeer(): void {
  mkdirSync(join(PEER_BIN, '..'), { recursive: true });
  console.error(`building the peer into ${PEER_BIN}`);
  execFileSync('nice', ['-n', '10', 'go', 'build', '-o', PEER_BIN, '.'], { cwd: PEER_DIR, stdio: 'inherit', env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/local/go/bin` } });
}

function translateTo(dir: string, out: string): void {
  writeFileSync(out, execFileSync(process.execPath, [PORTICO, 'translate', '-f', dir, '-o', 'json', '-q'], { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 }));
}

interface Target {
  child: ChildProcess;
  address: string;
  initialApplyMs: number;
  /** Performs change k (the manifest is already edited); resolves with t0 and the apply time. */
  change: (k: number) => Promise<{ t0: number; applyMs: () => Promise<number> }>;
}

async function startPortico(dir: string): Promise<Target> {
  const port = await freePort();
  const health = await freePort();
  const child = spawn(process.execPath, [PORTICO, 'serve', '--manifests', dir, '--xds-address', `127.0.0.1:${port}`, '--health-address', `127.0.0.1:${health}`, '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = new Lines(child.stderr ?? process.stdin);
  const first = await log.next(applied, 300_000);
  return {
    child,
    address: `127.0.0.1:${port}`,
    initialApplyMs: durationOf(first),
    change: async () => {
      log.drain(applied);
      return { t0: nowMs(), applyMs: async () => durationOf(await log.next(applied, 60_000)) };
    },
  };
}

async function startPeer(cache: 'snapshot' | 'linear', dir: string, work: string): Promise<Target> {
  const child = spawn(PEER_BIN, ['-address', '127.0.0.1:0', '-cache', cache], { stdio: ['pipe', 'pipe', 'inherit'] });
  const out = new Lines(child.stdout ?? process.stdin);
  const address = (await out.next((l) => l.startsWith('listening '), 30_000)).slice('listening '.length);
  const load = async (file: string): Promise<number> => {
    child.stdin?.write(`load ${file}\n`);
    const line = await out.next((l) => l.startsWith('loaded ') || l.startsWith('error '), 300_000);
    if (line.startsWith('error ')) throw new Error(`peer: ${line}`);
    const [, , , parseMs = 'NaN', setMs = 'NaN'] = line.split(' ');
    return Number(parseMs) + Number(setMs);
  };
  const initial = join(work, 'translated-0.json');
  translateTo(dir, initial);
  const initialApplyMs = await load(initial);
  return {
    child,
    address,
    initialApplyMs,
    change: async (k) => {
      const file = join(work, `translated-${k + 1}.json`);
      translateTo(dir, file); // not timed: the peer has no translator; it is told once the file exists
      const t0 = nowMs();
      const applying = load(file);
      return { t0, applyMs: () => applying };
    },
  };
}

async function measure(server: ServerName, ingresses: number, clients: number): Promise<Run> {
  const work = mkdtempSync(join(tmpdir(), `portico-scale-${ingresses}-`));
  const dir = join(work, 'manifests');
  writeWorkloadManifests(dir, ingresses);
  const target = server === 'portico' ? await startPortico(dir) : await startPeer(server, dir, work);
  const pid = target.child.pid ?? 0;
  const fleet = new Fleet({ address: target.address, protocol, clients, nodeCluster: NODE_CLUSTER });
  try {
    const connectMs = await fleet.untilReady(300_000);
    await sleep(500);
    const cpuBefore = cpuSeconds(pid);
    const latencies: number[] = [];
    const bytes: number[] = [];
    const applyMs: number[] = [];
    for (let k = 0; k < changes; k++) {
      const ingress = (k * 7919) % ingresses;
      await fleet.mark();
      let t0: number;
      let apply: () => Promise<number>;
      if (server === 'portico') {
        ({ t0, applyMs: apply } = await target.change(k));
        editIngressManifest(dir, ingress, k + 1);
      } else {
        editIngressManifest(dir, ingress, k + 1);
        ({ t0, applyMs: apply } = await target.change(k));
      }
      const settled = await fleet.untilSettled(QUIET_MS, 300_000);
      applyMs.push(await apply());
      latencies.push(settled.lastAckMs - t0);
      bytes.push(settled.bytes);
      process.stderr.write(`  ${server} ${ingresses}x${clients} change ${k + 1}/${changes}: ${(settled.lastAckMs - t0).toFixed(0)} ms, ${(settled.bytes / 2 ** 20).toFixed(1)} MiB\r`);
    }
    process.stderr.write('\n');
    const cpuAfter = cpuSeconds(pid);
    const byteStats = stats(bytes);
    return {
      server,
      protocol,
      ingresses,
      clients,
      changes,
      applyMsMedian: stats(applyMs).median,
      initialApplyMs: target.initialApplyMs,
      connectMs: Math.round(connectMs),
      changeToAllAckedMs: stats(latencies),
      bytesPerChange: { median: byteStats.median, max: byteStats.max },
      serverCpuSeconds: { total: Math.round(cpuAfter * 100) / 100, changes: Math.round((cpuAfter - cpuBefore) * 100) / 100 },
      peakRssMiB: Math.round(peakRssMiB(pid) * 10) / 10,
    };
  } finally {
    await fleet.stop();
    target.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

// ---- main ----

if (servers.some((s) => s !== 'portico')) ensurePeer();
const runs: Run[] = [];
const started = Date.now();
for (const [ingresses, clients] of scenarios) {
  for (const server of servers) {
    console.error(`${server}: ${ingresses} Ingresses × ${clients} ${protocol} clients`);
    runs.push(await measure(server, ingresses, clients));
    console.error(JSON.stringify(runs[runs.length - 1]));
  }
}

// Runs of earlier invocations for other scenarios are kept (so scenarios can be measured separately).
const results = join(import.meta.dirname, 'results');
const resultsFile = join(results, 'scale.json');
interface Saved { commands?: string[]; runs?: Run[] }
const saved: Saved = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Saved) : {};
const same = (a: Run, b: Run): boolean => a.server === b.server && a.protocol === b.protocol && a.ingresses === b.ingresses && a.clients === b.clients;
const allRuns = [...(saved.runs ?? []).filter((old) => !runs.some((r) => same(r, old))), ...runs];
const allScenarios = [...new Set(allRuns.map((r) => `${r.ingresses}x${r.clients}`))].map((s) => s.split('x').map(Number) as [number, number]);

const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
const rows: string[] = [];
for (const [ingresses, clients] of allScenarios) {
  for (const run of allRuns.filter((r) => r.ingresses === ingresses && r.clients === clients)) {
    const portico = allRuns.find((r) => r.server === 'portico' && r.protocol === run.protocol && r.ingresses === ingresses && r.clients === clients);
    const vs = (pick: (r: Run) => number): string => (portico && run !== portico ? ` (${ratio(pick(portico), pick(run))})` : '');
    rows.push([
      `${ingresses}×${clients}`, `${run.server} ${run.protocol}`,
      `${run.applyMsMedian} ms${vs((r) => r.applyMsMedian)}`,
      `${run.changeToAllAckedMs.median} ms${vs((r) => r.changeToAllAckedMs.median)}`,
      `${run.changeToAllAckedMs.p99} ms${vs((r) => r.changeToAllAckedMs.p99)}`,
      `${run.changeToAllAckedMs.max} ms${vs((r) => r.changeToAllAckedMs.max)}`,
      `${(run.bytesPerChange.median / 2 ** 20).toFixed(2)} MiB${vs((r) => r.bytesPerChange.median)}`,
      `${run.serverCpuSeconds.changes} s${vs((r) => r.serverCpuSeconds.changes)}`,
      `${run.serverCpuSeconds.total} s${vs((r) => r.serverCpuSeconds.total)}`,
      `${run.peakRssMiB} MiB${vs((r) => r.peakRssMiB)}`,
    ].join(' | '));
  }
}
const header = 'scenario | server | apply (median) | change→all ACKed median | p99 | max | bytes/change | CPU during changes | CPU total | peak RSS';
const table = [`| ${header} |`, `|${header.split('|').map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r} |`)].join('\n');
console.log(`\n${table}\n(ratios are Portico/peer)`);

const command = `npx tsx bench/scale.ts --scenarios ${values.scenarios ?? ''} --changes ${changes} --servers ${values.servers ?? ''} --protocol ${protocol}`;
console.log(`this invocation: ${Math.round((Date.now() - started) / 1000)} s`);
mkdirSync(results, { recursive: true });
const commands = [...(saved.commands ?? []).filter((c) => c !== command), command];
writeFileSync(resultsFile, `${JSON.stringify({ commands, node: process.version, date: new Date().toISOString(), runs: allRuns }, null, 2)}\n`);
writeFileSync(join(results, 'scale.svg'), renderChart(allRuns.map((r) => ({ scenario: `${r.ingresses}×${r.clients}`, series: `${r.server} ${r.protocol}`, value: r.changeToAllAckedMs.p99 })), 'Single-Ingress change → every client ACKed, p99 (ms)'));
process.exit(0);
