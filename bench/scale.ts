// Scale benchmark: Portico's xDS server against go-control-plane, with the same simulated Envoy
// fleet and the same sequence of single-Ingress changes.
//   npx tsx bench/scale.ts [--scenarios 1000x100,1000x1000,10000x100,10000x1000] [--changes 30]
//                          [--servers portico,snapshot,linear] [--protocol sotw,delta]
//                          [--skip '*:sotw:10000x1000'] [--connect-timeout 1800 (seconds)] [--warmup 5]
//                          [--repeat 1 (runs of each, pooled: scale-runs.ts)]
//                          [--max-server-rss <GiB, default 60 % of the machine's memory>]
// SERVER_NODE_ARGS passes Node.js flags to Portico's server, e.g. SERVER_NODE_ARGS='--cpu-prof
// --cpu-prof-dir=/tmp/prof' to profile it (written when the runner stops it); SERVER_STDOUT=<file>
// keeps what it prints to stdout (e.g. with SERVER_NODE_ARGS=--trace-gc). FLEET_NODE_ARGS does the
// same for the fleet's processes (their --cpu-prof files are written when the runner stops them).
// Per scenario (Ingresses × clients), protocol and server: writes the workload as manifests to a
// temp folder, starts the server, connects the fleet speaking that protocol, and edits one Ingress
// manifest per change, timing from the edit until every client has ACKed the new configuration.
// The first --warmup changes (5) are timed too but recorded apart (scale.json `warmupMs`), for
// every server alike: they run code the JIT has not optimized yet.
// Portico runs as `portico serve --manifests` (the same for both protocols: the client picks one)
// and picks the edit up itself; the peer (bench/peer, go-control-plane) is handed the output of
// `portico translate -o json --xds-protocol <protocol>` for the edited folder (for Delta, route
// configurations over VHDS and the virtual hosts as resources of their own), and timing starts
// when it is told.
//
// --skip bounds the matrix: a comma-separated list of server:protocol:scenario patterns, each part
// a name or `*` (`--skip none` runs everything). The default skips SotW at 10,000 Ingresses × 1,000
// clients for every server: SotW resends the whole route table (≈5.6 MB at 10,000 Ingresses) to
// each client per change, ≈5.6 GB per change (SnapshotCache about twice that), 30 times over, on
// the 2 cores that also run the fleet; and at 1,000 × 1,000 the go-control-plane peers already
// peaked at 4–5 GB RSS, so ten times the table would not fit in a 23 GB machine. Skipped runs are
// recorded with their reason (scale.json `skipped`, and "not run: …" rows in the table).
//
// Results merge with earlier invocations' (keyed by server, protocol and scenario), so parts of
// the matrix can be measured separately, and are saved after every run; a run that fails is
// recorded as "not run: failed: …" (so is a server stopped for passing --max-server-rss), the
// matrix goes on, and the exit status is 1. Writes
// bench/results/scale.json (runs with wall time each, and skipped) and bench/results/scale.svg
// (p99 change → all ACKed per scenario, one bar per server and protocol, log scale) and prints a
// table with ratios. The full default matrix takes a few hours on 2 cores.
// Needs `npm run build` (uses dist/) and Go (builds the peer into ~/.cache/portico/bench/, once per peer source).
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Fleet, nowMs, sleep } from './fleet/fleet.js';
import { ENVOY_WINDOW_BYTES } from './fleet/client.js';
import { renderChart } from './scale-chart.js';
import { pooled, stats } from './scale-runs.js';
import type { Measured, Protocol, Run, ServerName } from './scale-runs.js';
import { editIngressManifest, writeWorkloadManifests } from './workload.js';

const ROOT = join(import.meta.dirname, '..');
const PORTICO = join(ROOT, 'dist/operator/src/cli/main.js');
const PEER_DIR = join(import.meta.dirname, 'peer');
// One binary per peer source (main.go, go.mod, go.sum): two checkouts benchmarking at once never
// replace each other's peer, and an unchanged peer is not rebuilt.
const PEER_SOURCE_HASH = createHash('sha256').update(['main.go', 'go.mod', 'go.sum'].map((f) => readFileSync(join(PEER_DIR, f), 'utf8')).join('\0')).digest('hex').slice(0, 12);
const PEER_BIN = join(process.env['PORTICO_CACHE'] ?? join(homedir(), '.cache/portico'), `bench/portico-peer-${PEER_SOURCE_HASH}`);
const NODE_CLUSTER = 'portico'; // the workload's IngressClass, which names the fleet
const QUIET_MS = 400;

const PROTOCOLS: readonly Protocol[] = ['sotw', 'delta'];
const SERVERS: readonly ServerName[] = ['portico', 'snapshot', 'linear'];
/** Route table bytes per Ingress in one SotW RDS response (measured: 560,864 bytes per client at 1,000 Ingresses). */
const ROUTE_BYTES_PER_INGRESS = 560;
const SERIES_COLORS: Record<ServerName, Record<Protocol, string>> = {
  portico: { sotw: '#1f5fa6', delta: '#7fb0e0' },
  snapshot: { sotw: '#d0661e', delta: '#f2b07e' },
  linear: { sotw: '#3d8b4f', delta: '#98d0a3' },
};

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string', default: '1000x100,1000x1000,10000x100,10000x1000' },
    changes: { type: 'string', default: '30' },
    // Changes made before the measured ones, for every server alike, and recorded (warmupMs): the
    // first changes after a start run code V8 has not optimized yet. At 1,000 × 1,000 Delta,
    // Portico's first six took 93-137 ms and the other twenty-four 64-93 ms.
    warmup: { type: 'string', default: '5' },
    // Runs of each server, protocol and scenario, each with a server and fleet of its own, pooled
    // into one record (scale-runs.ts): over 30 changes a run's p99 is its slowest change, and on
    // shared cores that varies from run to run.
    repeat: { type: 'string', default: '1' },
    servers: { type: 'string', default: SERVERS.join(',') },
    protocol: { type: 'string', default: PROTOCOLS.join(',') },
    skip: { type: 'string', default: '*:sotw:10000x1000' },
    // The fleet takes in every client's first configuration before changes start: at 10,000
    // Ingresses × 1,000 Delta clients that is about 10 GB, 5 minutes on 2 cores.
    'connect-timeout': { type: 'string', default: '1800' },
    // GiB. A server that grows past it is stopped and its run recorded as failed, so the machine
    // keeps memory for the fleet and the matrix goes on (go-control-plane's LinearCache reached
    // 17 GB syncing 10,000 Ingresses × 1,000 Delta clients, and the 24 GB machine ran out).
    'max-server-rss': { type: 'string', default: String(Math.floor((totalmem() / 2 ** 30) * 0.6)) },
  },
});
const list = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
const scenarios = list(values.scenarios).map((s) => {
  const [ingresses, clients] = s.split('x').map(Number);
  if (!ingresses || !clients) throw new Error(`--scenarios: "${s}" is not <Ingresses>x<clients>`);
  return [ingresses, clients] as [number, number];
});
const changes = Number(values.changes);
const warmup = Number(values.warmup);
if (!Number.isInteger(warmup) || warmup < 0) throw new Error(`--warmup: "${values.warmup}" is not a whole number of changes`);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`--repeat: "${values.repeat}" is not a positive whole number of runs`);
const servers = list(values.servers).map((s) => oneOf(s, SERVERS, '--servers'));
const protocols = list(values.protocol).map((p) => oneOf(p, PROTOCOLS, '--protocol'));
const skips = values.skip === 'none' ? [] : list(values.skip).map(parseSkip);

function oneOf<T extends string>(value: string, allowed: readonly T[], option: string): T {
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`${option}: "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

interface Skip {
  pattern: string;
  server: string;
  protocol: string;
  scenario: string;
}

function parseSkip(pattern: string): Skip {
  const [server = '', protocol = '', scenario = '', ...rest] = pattern.split(':');
  if (rest.length > 0 || !server || !protocol || !scenario) throw new Error(`--skip: "${pattern}" is not <server>:<protocol>:<Ingresses>x<clients> (each part may be *)`);
  if (server !== '*') oneOf(server, SERVERS, '--skip server');
  if (protocol !== '*') oneOf(protocol, PROTOCOLS, '--skip protocol');
  if (scenario !== '*' && !/^\d+x\d+$/.test(scenario)) throw new Error(`--skip: "${scenario}" is not <Ingresses>x<clients> or *`);
  return { pattern, server, protocol, scenario };
}

/** Why this run is skipped (undefined: it is not). */
function skipReason(server: ServerName, protocol: Protocol, ingresses: number, clients: number): string | undefined {
  const match = (part: string, value: string): boolean => part === '*' || part === value;
  const skip = skips.find((s) => match(s.server, server) && match(s.protocol, protocol) && match(s.scenario, `${ingresses}x${clients}`));
  if (!skip) return undefined;
  if (protocol === 'delta') return `excluded with --skip ${skip.pattern}`;
  const table = ingresses * ROUTE_BYTES_PER_INGRESS;
  const twice = server === 'snapshot' ? ', SnapshotCache about twice that' : '';
  return `SotW resends the whole route table (≈${decimalBytes(table)}) to each of ${clients} clients per change, ≈${decimalBytes(table * clients)} per change${twice}; excluded with --skip ${skip.pattern}`;
}

/** 560 kB, 5.6 MB, 5.6 GB (two significant digits). */
function decimalBytes(bytes: number): string {
  const [unit, scale] = bytes >= 1e9 ? ['GB', 1e9] : bytes >= 1e6 ? ['MB', 1e6] : ['kB', 1e3];
  return `${Number((bytes / scale).toPrecision(2))} ${unit}`;
}

/** A run of the matrix that --skip excluded. */
interface Skipped {
  server: ServerName;
  protocol: Protocol;
  ingresses: number;
  clients: number;
  reason: string;
}

// ---- process metrics from /proc ----

const TICKS_PER_SECOND = 100;
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime (fields 14, 15)
}
function currentRssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) / 1024;
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
  if (existsSync(PEER_BIN)) return;
  mkdirSync(join(PEER_BIN, '..'), { recursive: true });
  console.error(`building the peer into ${PEER_BIN}`);
  const building = `${PEER_BIN}.${process.pid}`; // renamed into place when complete
  execFileSync('nice', ['-n', '10', 'go', 'build', '-o', building, '.'], { cwd: PEER_DIR, stdio: 'inherit', env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/local/go/bin` } });
  renameSync(building, PEER_BIN);
}

/** What the peer serves: the SotW view, or the Delta view (route configurations over VHDS, plus `virtualHosts`). */
function translateTo(dir: string, out: string, protocol: Protocol): void {
  const args = [PORTICO, 'translate', '-f', dir, '-o', 'json', '-q', '--xds-protocol', protocol];
  writeFileSync(out, execFileSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 }));
}

interface Target {
  child: ChildProcess;
  /** The server's own account of trouble (Portico's warn and error log lines), for a failed run's message. */
  troubles?: () => string[];
  address: string;
  initialApplyMs: number;
  /** Untimed work before change k, after the manifest was edited (the peer's translation). */
  prepare: (k: number) => void;
  /** Performs change k; resolves with t0 and the apply time. */
  change: (k: number) => Promise<{ t0: number; applyMs: () => Promise<number> }>;
}

async function startPortico(dir: string): Promise<Target> {
  const port = await freePort();
  const health = await freePort();
  // The workload's edits rename files into place (editIngressManifest), so nothing is ever seen
  // half-written: the settle period that guards editors in place is turned off, as it would be for
  // a ConfigMap volume.
  // The write deadline that resets clients which stopped reading is lengthened to 10 minutes: the
  // simulated clients share two cores with the server, 250 to a process, and at 10,000 Ingresses
  // one of them can wait longer than the default 30 s for its process to read its first ~5 MB
  // (the peer has no such deadline). An Envoy reads that in well under a second.
  const stdout = process.env['SERVER_STDOUT'] ? openSync(process.env['SERVER_STDOUT'], 'w') : 'ignore';
  const child = spawn(process.execPath, [...(process.env['SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean), PORTICO, 'serve', '--manifests', dir, '--xds-address', `127.0.0.1:${port}`, '--health-address', `127.0.0.1:${health}`, '--log-level', 'info', '--settle-ms', '0', '--xds-write-timeout-ms', '600000'], { stdio: ['ignore', stdout, 'pipe'] });
  const log = new Lines(child.stderr ?? process.stdin);
  // A failed run should say why the server acted as it did (a slow reader reset, a refused stream):
  // keep the last of its warnings and errors.
  const troubles: string[] = [];
  createInterface({ input: child.stderr ?? process.stdin }).on('line', (line) => {
    if (!/"level":"(warn|error)"/.test(line)) return;
    troubles.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
    if (troubles.length > 20) troubles.shift();
  });
  const first = await log.next(applied, 300_000);
  return {
    child,
    troubles: () => troubles,
    address: `127.0.0.1:${port}`,
    initialApplyMs: durationOf(first),
    prepare: () => undefined,
    change: async () => {
      log.drain(applied);
      return { t0: nowMs(), applyMs: async () => durationOf(await log.next(applied, 60_000)) };
    },
  };
}

async function startPeer(cache: 'snapshot' | 'linear', protocol: Protocol, dir: string, work: string): Promise<Target> {
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
  translateTo(dir, initial, protocol);
  const initialApplyMs = await load(initial);
  return {
    child,
    address,
    initialApplyMs,
    // Not timed: the peer has no translator; it is told once the file exists.
    prepare: (k) => translateTo(dir, join(work, `translated-${k + 1}.json`), protocol),
    change: async (k) => {
      const t0 = nowMs();
      const applying = load(join(work, `translated-${k + 1}.json`));
      return { t0, applyMs: () => applying };
    },
  };
}

/** Rejects once the server's RSS passes the limit (checked every second). */
function memoryGuard(pid: number, limitGiB: number): { exceeded: Promise<never>; stop: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const exceeded = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      let rss = 0;
      try {
        rss = currentRssMiB(pid);
      } catch {
        return; // the server exited; the run itself reports that
      }
      if (rss / 1024 > limitGiB) reject(new Error(`server RSS reached ${(rss / 1024).toFixed(1)} GiB, over --max-server-rss ${limitGiB} GiB; stopped`));
    }, 1_000);
  });
  return { exceeded, stop: () => clearInterval(timer) };
}

async function measure(server: ServerName, protocol: Protocol, ingresses: number, clients: number): Promise<Measured> {
  const work = mkdtempSync(join(tmpdir(), `portico-scale-${ingresses}-`));
  const dir = join(work, 'manifests');
  writeWorkloadManifests(dir, ingresses);
  const target = server === 'portico' ? await startPortico(dir) : await startPeer(server, protocol, dir, work);
  const fleet = new Fleet({ address: target.address, protocol, clients, nodeCluster: NODE_CLUSTER });
  const guard = memoryGuard(target.child.pid ?? 0, Number(values['max-server-rss']));
  const running = runChanges(server, protocol, ingresses, clients, dir, target, fleet);
  running.catch(() => undefined); // when the guard wins, the abandoned run fails as the fleet stops
  try {
    return await Promise.race([running, guard.exceeded]);
  } catch (error) {
    const troubles = target.troubles?.() ?? [];
    if (troubles.length > 0) process.stderr.write(`\n  the server's last warnings and errors:\n${troubles.map((l) => `    ${l}`).join('\n')}\n`);
    throw error;
  } finally {
    guard.stop();
    await fleet.stop();
    target.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

/** Connects the fleet, then makes and times the changes. */
async function runChanges(server: ServerName, protocol: Protocol, ingresses: number, clients: number, dir: string, target: Target, fleet: Fleet): Promise<Measured> {
  const pid = target.child.pid ?? 0;
  const connectMs = await fleet.untilReady(Number(values['connect-timeout']) * 1000);
  const { reconnects } = await fleet.status();
  await sleep(500);
  // One edit, timed from the edit until every client has ACKed it. k numbers every edit of the
  // run (warm-up ones too), so each writes a generation of its own.
  const changeOnce = async (k: number): Promise<{ latency: number; bytes: number; applyMs: number }> => {
    const ingress = (k * 7919) % ingresses;
    let t0: number;
    let apply: () => Promise<number>;
    // The window opens just before t0, so nothing from an earlier change can count.
    if (server === 'portico') {
      await fleet.mark();
      ({ t0, applyMs: apply } = await target.change(k));
      editIngressManifest(dir, ingress, k + 1);
    } else {
      editIngressManifest(dir, ingress, k + 1);
      target.prepare(k);
      await fleet.mark();
      ({ t0, applyMs: apply } = await target.change(k));
    }
    const settled = await fleet.untilSettled(QUIET_MS, 300_000, t0);
    return { latency: settled.lastAckMs - t0, bytes: settled.bytes, applyMs: await apply() };
  };
  const progress = (what: string, c: { latency: number; bytes: number; applyMs: number }): void => {
    process.stderr.write(`  ${server} ${protocol} ${ingresses}x${clients} ${what}: ${c.latency.toFixed(0)} ms (applied in ${c.applyMs.toFixed(1)} ms), ${formatBytes(c.bytes)}\r`);
  };
  const warmupMs: number[] = [];
  for (let k = 0; k < warmup; k++) {
    const change = await changeOnce(k);
    warmupMs.push(Math.round(change.latency * 10) / 10);
    progress(`warm-up change ${k + 1}/${warmup}`, change);
  }
  const cpuBefore = cpuSeconds(pid);
  const latencies: number[] = [];
  const bytes: number[] = [];
  const applyMs: number[] = [];
  for (let k = 0; k < changes; k++) {
    const change = await changeOnce(warmup + k);
    latencies.push(change.latency);
    bytes.push(change.bytes);
    applyMs.push(change.applyMs);
    progress(`change ${k + 1}/${changes}`, change);
  }
  process.stderr.write('\n');
  const cpuAfter = cpuSeconds(pid);
  const byteStats = stats(bytes);
  const run: Run = {
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
    clientWindowBytes: ENVOY_WINDOW_BYTES,
    warmupMs,
    clientReconnects: reconnects,
  };
  return { run, samples: { latencies, applyMs, bytes } };
}

/** measure, plus the wall time of the whole run. */
async function measureTimed(server: ServerName, protocol: Protocol, ingresses: number, clients: number): Promise<Measured> {
  const started = nowMs();
  const { run, samples } = await measure(server, protocol, ingresses, clients);
  return { run: { ...run, wallSeconds: Math.round((nowMs() - started) / 100) / 10 }, samples };
}

/** --repeat runs of one server, protocol and scenario, pooled into one record. */
async function measureRepeated(server: ServerName, protocol: Protocol, ingresses: number, clients: number): Promise<Run> {
  const measured: Measured[] = [];
  for (let i = 0; i < repeat; i++) {
    if (repeat > 1) console.error(`  run ${i + 1} of ${repeat}`);
    measured.push(await measureTimed(server, protocol, ingresses, clients));
  }
  return pooled(measured);
}

// ---- results ----

// Results of earlier invocations are kept unless re-measured (so parts of the matrix can be measured
// separately); a recorded skip only stands while no run of that server, protocol and scenario exists.
const results = join(import.meta.dirname, 'results');
const resultsFile = join(results, 'scale.json');
interface Saved { commands?: string[]; runs?: Run[]; skipped?: Skipped[] }
type Key = Pick<Run, 'server' | 'protocol' | 'ingresses' | 'clients'>;
const saved: Saved = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Saved) : {};
const same = (a: Key, b: Key): boolean => a.server === b.server && a.protocol === b.protocol && a.ingresses === b.ingresses && a.clients === b.clients;
const order = (a: Key, b: Key): number => a.ingresses - b.ingresses || a.clients - b.clients || PROTOCOLS.indexOf(a.protocol) - PROTOCOLS.indexOf(b.protocol) || SERVERS.indexOf(a.server) - SERVERS.indexOf(b.server);
const scenarioOf = (r: Key): string => `${r.ingresses}×${r.clients}`;
const command = `npx tsx bench/scale.ts --scenarios ${values.scenarios ?? ''} --changes ${changes}${repeat > 1 ? ` --repeat ${repeat}` : ''} --servers ${values.servers ?? ''} --protocol ${values.protocol ?? ''} --skip '${values.skip ?? ''}'`;

function merged(runs: Run[], skipped: Skipped[]): { allRuns: Run[]; allSkipped: Skipped[] } {
  const allRuns = [...(saved.runs ?? []).filter((old) => !runs.some((r) => same(r, old))), ...runs].sort(order);
  const allSkipped = [...(saved.skipped ?? []).filter((old) => !skipped.some((s) => same(s, old))), ...skipped].filter((s) => !allRuns.some((r) => same(r, s))).sort(order);
  return { allRuns, allSkipped };
}

/** Writes scale.json and scale.svg (after every run, so a long matrix keeps what it measured). */
function save(runs: Run[], skipped: Skipped[]): void {
  const { allRuns, allSkipped } = merged(runs, skipped);
  mkdirSync(results, { recursive: true });
  // `--scenarios ''` measures nothing and only re-renders the table and chart from scale.json.
  const commands = planned.length === 0 ? (saved.commands ?? []) : [...(saved.commands ?? []).filter((c) => c !== command), command];
  writeFileSync(resultsFile, `${JSON.stringify({ commands, node: process.version, date: new Date().toISOString(), runs: allRuns, skipped: allSkipped }, null, 2)}\n`);
  writeFileSync(join(results, 'scale.svg'), renderChart({
    title: 'Single-Ingress change → every client ACKed, p99',
    xLabel: 'scenario (Ingresses × clients)',
    yLabel: 'p99 change → all clients ACKed (log scale)',
    bars: allRuns.map((r) => ({ scenario: scenarioOf(r), series: `${r.server} ${r.protocol}`, value: r.changeToAllAckedMs.p99 })),
    notRun: allSkipped.map((s) => ({ scenario: scenarioOf(s), series: `${s.server} ${s.protocol}` })),
    scenarios: [...new Set([...allRuns, ...allSkipped].sort(order).map(scenarioOf))],
    // Bars grouped by protocol; a colour per server, darker for SotW, lighter for Delta.
    series: PROTOCOLS.flatMap((protocol) => SERVERS.map((server) => ({ name: `${server} ${protocol}`, color: SERIES_COLORS[server][protocol] })))
      .filter((s) => [...allRuns, ...allSkipped].some((r) => `${r.server} ${r.protocol}` === s.name)),
  }));
}

function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 20) return `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  if (bytes >= 2 ** 10) return `${(bytes / 2 ** 10).toFixed(1)} KiB`;
  return `${bytes} B`;
}

/** How many runs a record pools (1 for a single run). */
function runsIn(run: Run): number {
  return run.repetitions?.length ?? 1;
}

/** Repeated runs: each run's own p99 (over its changes alone), after the pooled one. */
function perRun(run: Run): string {
  const p99s = (run.repetitions ?? []).map((r) => r.changeToAllAckedMs.p99);
  return p99s.length === 0 ? '' : `; ${p99s.length} runs' own: ${p99s.join(', ')} ms`;
}

/** Markdown table of every recorded run and skip, with Portico/peer ratios for the same protocol. */
function table(runs: Run[], skipped: Skipped[]): string {
  const { allRuns, allSkipped } = merged(runs, skipped);
  const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}×` : '–');
  const header = 'scenario | server | apply (median) | change→all ACKed median | p99 | max | bytes/change | CPU during changes | CPU total | peak RSS | wall';
  const columns = header.split('|').length;
  const rows = [...allRuns, ...allSkipped].sort(order).map((entry): string[] => {
    if ('reason' in entry) return [scenarioOf(entry), `${entry.server} ${entry.protocol}`, `not run: ${entry.reason}`, ...Array<string>(columns - 3).fill('')];
    const run = entry;
    const portico = allRuns.find((r) => same(r, { ...run, server: 'portico' }));
    const vs = (pick: (r: Run) => number): string => (portico && run !== portico ? ` (${ratio(pick(portico), pick(run))})` : '');
    // A p99, a maximum or a peak over five runs' changes is not like one run's: not compared.
    // (Rows that pool differently are never the same row, so never Portico's own.)
    const pooledAlike = !portico || runsIn(portico) === runsIn(run);
    const vsExtreme = (pick: (r: Run) => number): string => (pooledAlike ? vs(pick) : ' (–)');
    return [
      scenarioOf(run), `${run.server} ${run.protocol}`,
      `${run.applyMsMedian} ms${vs((r) => r.applyMsMedian)}`,
      `${run.changeToAllAckedMs.median} ms${vs((r) => r.changeToAllAckedMs.median)}`,
      `${run.changeToAllAckedMs.p99} ms${vsExtreme((r) => r.changeToAllAckedMs.p99)}${perRun(run)}`,
      `${run.changeToAllAckedMs.max} ms${vsExtreme((r) => r.changeToAllAckedMs.max)}`,
      `${formatBytes(run.bytesPerChange.median)}${vs((r) => r.bytesPerChange.median)}`,
      `${run.serverCpuSeconds.changes} s${vs((r) => r.serverCpuSeconds.changes)}`,
      `${run.serverCpuSeconds.total} s${vs((r) => r.serverCpuSeconds.total)}`,
      `${run.peakRssMiB} MiB${vsExtreme((r) => r.peakRssMiB)}`,
      run.wallSeconds === undefined ? '–' : `${run.wallSeconds} s`,
    ];
  });
  return [`| ${header} |`, `|${header.split('|').map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

// ---- main ----

const planned = scenarios.flatMap(([ingresses, clients]) => protocols.flatMap((protocol) => servers.map((server) => ({ server, protocol, ingresses, clients }))));
if (planned.some((r) => r.server !== 'portico' && !skipReason(r.server, r.protocol, r.ingresses, r.clients))) ensurePeer();
const runs: Run[] = [];
const skipped: Skipped[] = [];
let failures = 0;
const started = Date.now();
for (const { server, protocol, ingresses, clients } of planned) {
  const reason = skipReason(server, protocol, ingresses, clients);
  if (reason) {
    console.error(`${server}: ${ingresses} Ingresses × ${clients} ${protocol} clients: not run: ${reason}`);
    skipped.push({ server, protocol, ingresses, clients, reason });
  } else {
    console.error(`${server}: ${ingresses} Ingresses × ${clients} ${protocol} clients`);
    try {
      runs.push(await measureRepeated(server, protocol, ingresses, clients));
      console.error(JSON.stringify(runs[runs.length - 1]));
    } catch (error) {
      // Recorded (unless an earlier invocation measured it) and the matrix goes on; the exit status says so.
      failures++;
      const message = error instanceof Error ? error.message : String(error);
      console.error(`  failed: ${message}`);
      skipped.push({ server, protocol, ingresses, clients, reason: `failed: ${message}` });
    }
  }
  save(runs, skipped);
}
if (planned.length === 0) save([], []);

console.log(`\n${table(runs, skipped)}\n(ratios are Portico/peer, same protocol; (–): not compared, one row pools more runs than the other)`);
console.log(`this invocation: ${Math.round((Date.now() - started) / 1000)} s${failures > 0 ? `, ${failures} failed run(s)` : ''}`);
process.exit(failures > 0 ? 1 : 0);
