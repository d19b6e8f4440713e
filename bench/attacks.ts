// Hostile clients against the xDS server, on loopback, with figures: what each attack costs the
// server and whether healthy clients keep being served.
//   npx tsx bench/attacks.ts [--only nack,slow,series] [--root DIR]
//        [--nack-streams 40] [--nack-bytes 3900000] [--nack-rounds 3] [--nack-repeats 2]
//        [--ingresses 4000] [--stuck 200] [--healthy 20] [--edits 30] [--edit-timeout-ms 10000]
//        [--fleets 2000] [--server-options '{"writeTimeoutMs":30000}']
// (a) nack:   --nack-streams streams (half SotW, half Delta) NACK every listener update with a
//             --nack-bytes error_detail, --nack-repeats times each, for --nack-rounds updates:
//             server RSS and heap before and after, log volume, and GET /debug/xds time and size.
// (b) slow:   a --ingresses fleet; --stuck streams that never read (raw HTTP/2, reconnecting when
//             reset) and --healthy Envoy-like SotW clients; --edits route edits: how many healthy
//             clients got each edit, and how long the last one took.
// (c) series: --fleets streams, each naming its own made-up fleet in node.cluster, plus one 1 MB
//             name: /metrics series before, while connected, and after they disconnect.
// Each attack gets a fresh server (bench/attacks/attack-server.ts, a child process, so its RSS is
// its own and its death is a finding). --root loads the server code from another checkout (e.g.
// `git archive HEAD | tar -x -C /tmp/head` with node_modules linked) to measure it the same way.
// Loopback only, bounded loops; stops by itself. Not part of `make test`: nothing asserts, it prints.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AttackedServer } from './attacks/attacked-server.js';
import { fleetSeries } from './attacks/fleet-series.js';
import { nackFlood } from './attacks/nack-flood.js';
import { slowReaders } from './attacks/slow-readers.js';
import type { SlowReadersResult } from './attacks/slow-readers.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'nack,slow,series' },
    root: { type: 'string', default: join(import.meta.dirname, '..') },
    'nack-streams': { type: 'string', default: '40' },
    'nack-bytes': { type: 'string', default: '3900000' },
    'nack-rounds': { type: 'string', default: '3' },
    'nack-repeats': { type: 'string', default: '2' },
    ingresses: { type: 'string', default: '4000' },
    stuck: { type: 'string', default: '200' },
    healthy: { type: 'string', default: '20' },
    edits: { type: 'string', default: '30' },
    'edit-timeout-ms': { type: 'string', default: '10000' },
    'pause-ms': { type: 'string', default: '500' },
    fleets: { type: 'string', default: '2000' },
    'server-options': { type: 'string', default: '{}' },
  },
});
const only = new Set((values.only ?? '').split(','));
const root = values.root ?? '';
const serverOptions = JSON.parse(values['server-options'] ?? '{}') as object;
const number = (name: keyof typeof values): number => Number(values[name]);
/** The small fleets of attacks (a) and (c) need no large workload. */
const SMALL_WORKLOAD = 10;

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
out(`xDS server under attack: ${root} (node ${process.version}, ${process.platform}/${process.arch})`);
out(`command: npx tsx bench/attacks.ts ${process.argv.slice(2).join(' ')}`.trimEnd());

if (only.has('nack')) {
  const server = await AttackedServer.start(root, SMALL_WORKLOAD, serverOptions);
  const streams = number('nack-streams');
  out(`\n(a) NACK flood: ${streams} streams (${Math.ceil(streams / 2)} SotW, ${Math.floor(streams / 2)} Delta), ${number('nack-rounds')} updates each NACKed ${number('nack-repeats')}× with a ${(number('nack-bytes') / 1e6).toFixed(1)} MB error_detail`);
  const r = await nackFlood(server, { streams, bytes: number('nack-bytes'), rounds: number('nack-rounds'), repeats: number('nack-repeats') });
  if (r.serverDied) out(`  the server died: ${r.serverDied}`);
  else {
    out(`  server RSS:        ${r.before.rssMiB} MiB before → ${r.after.rssMiB} MiB after the flood (${r.afterGc.rssMiB} MiB after GC)`);
    out(`  server heap used:  ${r.before.heapUsedMiB} MiB before → ${r.after.heapUsedMiB} MiB after (${r.afterGc.heapUsedMiB} MiB after GC); external (buffers) ${r.before.externalMiB} → ${r.afterGc.externalMiB} MiB after GC`);
    out(`  once the flooders disconnected (after GC): RSS ${r.afterClose.rssMiB} MiB, heap ${r.afterClose.heapUsedMiB} MiB, external ${r.afterClose.externalMiB} MiB`);
    out(`  NACKs recorded:    ${r.nacksRecorded}; log: ${r.after.logLines} lines, ${(r.after.logBytes / 2 ** 20).toFixed(2)} MiB, longest line ${r.after.longestLogLine} characters`);
    out(`  longest event-loop stall during the flood: ${r.after.maxLoopDelayMs} ms`);
    out('error' in r.debug ? `  GET /debug/xds:    failed after ${r.debug.ms.toFixed(0)} ms: ${r.debug.error}${server.exited ? `; server: ${server.exited}` : ''}` : `  GET /debug/xds:    ${r.debug.status}, ${r.debug.bytes} bytes in ${r.debug.ms.toFixed(0)} ms; longest event-loop stall while serving it: ${r.afterGc.maxLoopDelayMs} ms`);
  }
  await server.stop();
}

if (only.has('slow')) {
  const server = await AttackedServer.start(root, number('ingresses'), serverOptions);
  out(`\n(b) slow readers: ${number('ingresses')} Ingresses (route table ${(server.ready.routeBytes / 1e6).toFixed(1)} MB as JSON), ${number('stuck')} streams that never read, ${number('healthy')} healthy SotW clients, ${number('edits')} edits`);
  const r = await slowReaders(server, { stuck: number('stuck'), healthy: number('healthy'), edits: number('edits'), editTimeoutMs: number('edit-timeout-ms'), pauseMs: number('pause-ms') });
  printSlowReaders(r, number('healthy'), number('edit-timeout-ms'));
  await server.stop();
}

if (only.has('series')) {
  const server = await AttackedServer.start(root, SMALL_WORKLOAD, serverOptions);
  out(`\n(c) metric series: ${number('fleets')} streams, each naming its own fleet in node.cluster`);
  const r = await fleetSeries(server, number('fleets'));
  out(`  series in /metrics:       ${r.before.series} before → ${r.connected.series} with ${number('fleets')} connected → ${r.afterDisconnect.series} after they disconnected`);
  out(`  of which labelled fleet=: ${r.before.fleetSeries} before → ${r.connected.fleetSeries} with ${number('fleets')} connected → ${r.afterDisconnect.fleetSeries} after they disconnected`);
  out(`  /metrics size:            ${(r.before.bytes / 2 ** 10).toFixed(1)} KiB before → ${(r.connected.bytes / 2 ** 10).toFixed(1)} KiB connected → ${(r.afterDisconnect.bytes / 2 ** 10).toFixed(1)} KiB after`);
  out(`  a 1 MB node.cluster: ${r.hugeCluster}`);
  await server.stop();
}
process.exit(0);

function printSlowReaders(r: SlowReadersResult, healthy: number, timeoutMs: number): void {
  if (r.serverDied) out(`  the server died: ${r.serverDied}`);
  out('  edit | healthy clients with it | edit → last of them | bytes in flight');
  for (const e of r.edits) {
    out(`  ${String(e.edit).padStart(4)} | ${String(e.converged).padStart(2)}/${healthy} | ${Number.isNaN(e.ms) ? '–' : `${e.ms.toFixed(0)} ms`}${e.converged < healthy ? ` (gave up after ${timeoutMs} ms)` : ''} | ${Number.isNaN(e.bytesInFlightMiB) ? '–' : `${e.bytesInFlightMiB} MiB`}`);
  }
  const full = r.edits.filter((e) => e.converged === healthy);
  const times = full.map((e) => e.ms).sort((a, b) => a - b);
  const at = (q: number): string => (times.length === 0 ? '–' : `${(times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? NaN).toFixed(0)} ms`);
  out(`  all ${healthy} healthy clients got ${full.length} of ${r.edits.length} edits; edit → all of them: median ${at(0.5)}, max ${at(1)}`);
  out(`  stuck streams reset by the server (each reconnected): ${r.resets}; server at the end: RSS ${r.end.rssMiB} MiB (heap ${r.end.heapUsedMiB} MiB, external ${r.end.externalMiB} MiB), ${r.end.streams} streams`);
}
