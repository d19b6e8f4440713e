// The server under attack, in a process of its own so that its RSS and event loop are measured
// alone, and so that a server that dies under an attack (as the NACK flood made it) is a finding,
// not the end of the benchmark. Started by bench/attacks.ts with
//   node --import tsx --expose-gc attack-server.ts <root> <ingresses> <xds options JSON>
// where <root> is the checkout whose xds-server and operator code is loaded (this one by default;
// another one, e.g. an unpacked `git archive HEAD`, measures that code under the same attacks).
// It publishes the workload fleet ("portico") and a small fleet ("flood") and answers IPC commands.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Pipeline from '../../operator/src/pipeline.js';
import type * as Observability from '../../observability/src/index.js';
import type * as Xds from '../../xds-server/src/index.js';
import type { FleetResources } from '../../xds-server/src/index.js';
import type * as Workload from '../workload.js';
import type * as Fixtures from '../../xds-server/src/test-support/fleet-fixtures.js';

export type ServerCommand =
  | { op: 'edit'; id: number; edit: number }
  | { op: 'flood-round'; id: number; round: number }
  | { op: 'stats'; id: number; gc?: boolean };

export interface ServerStats {
  rssMiB: number;
  heapUsedMiB: number;
  externalMiB: number;
  /** Longest event-loop stall since the previous stats command, ms. */
  maxLoopDelayMs: number;
  streams: number;
  /** Log output so far. */
  logLines: number;
  logBytes: number;
  /** The longest log line so far, characters. */
  longestLogLine: number;
}

export type ServerMessage =
  | { kind: 'ready'; xdsPort: number; healthPort: number; routeConfigName: string; routeBytes: number; publishMs: number }
  | { kind: 'done'; id: number; stats?: ServerStats; publishMs?: number };

const [root = '', ingresses = '4000', optionsJson = '{}'] = process.argv.slice(2);
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(root, path)).href)) as T;
const xds = await load<typeof Xds>('xds-server/src/index.ts');
const observability = await load<typeof Observability>('observability/src/index.ts');
const pipeline = await load<typeof Pipeline>('operator/src/pipeline.ts');
const workload = await load<typeof Workload>('bench/workload.ts');
const fixtures = await load<typeof Fixtures>('xds-server/src/test-support/fleet-fixtures.ts');

// Logs are counted, not printed: how much a server writes under attack is one of the findings.
let logLines = 0;
let logBytes = 0;
let longestLogLine = 0;
const logger = observability.createLogger({
  level: 'info',
  write: (line) => {
    logLines += 1;
    logBytes += line.length;
    longestLogLine = Math.max(longestLogLine, line.length);
  },
});

const metrics = new observability.MetricsRegistry();
const server = new xds.XdsServer({ logger, metrics, ...(JSON.parse(optionsJson) as Partial<Xds.XdsServerOptions>) });
const config = pipeline.buildEnvoyConfig(workload.generateWorkload(Number(ingresses)));
const fleet = config.fleets[0];
if (!fleet) throw new Error('the workload produced no fleet');
const base = fleet.resources;
const published = performance.now();
server.publishFleet(fleet.fleet, base, fleet.origins);
const publishMs = performance.now() - published;
publishFlood(0);
const xdsPort = await server.start('127.0.0.1:0');
const health = new xds.HealthServer({
  ready: () => server.serving,
  metrics: () => metrics.render(),
  // As portico serve wires it (operator/src/serve/standalone.ts).
  debug: () => ({ fleets: server.fleets(), streams: server.streams(), nacks: server.nacks() }),
});
const healthPort = await health.listen('127.0.0.1:0');
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

const table = base.routeConfigurations[0];
send({ kind: 'ready', xdsPort, healthPort, routeConfigName: table?.name ?? '', routeBytes: JSON.stringify(table ?? {}).length, publishMs });

process.on('message', (command: ServerCommand) => {
  if (command.op === 'edit') {
    const started = performance.now();
    server.publishFleet(fleet.fleet, edited(base, command.edit), fleet.origins);
    send({ kind: 'done', id: command.id, publishMs: performance.now() - started });
  } else if (command.op === 'flood-round') {
    publishFlood(command.round);
    send({ kind: 'done', id: command.id });
  } else if (command.gc) {
    // Twice, with a pause: V8 frees the memory behind Buffers in a background sweep after the first.
    global.gc?.();
    setTimeout(() => {
      global.gc?.();
      send({ kind: 'done', id: command.id, stats: stats() });
    }, 500);
  } else {
    send({ kind: 'done', id: command.id, stats: stats() });
  }
});
process.on('disconnect', () => process.exit(0));

/** One Ingress path edited: a route of one virtual host changes, as a manifest edit would. */
function edited(resources: FleetResources, edit: number): FleetResources {
  const [first, ...rest] = resources.routeConfigurations;
  if (!first) return resources;
  const hosts = [...(first.virtual_hosts ?? [])];
  const index = (edit * 7919) % hosts.length;
  const host = hosts[index];
  if (host) hosts[index] = { ...host, routes: [{ ...host.routes?.[0], match: { prefix: `/edit-${edit}` } }, ...(host.routes?.slice(1) ?? [])] };
  return { ...resources, routeConfigurations: [{ ...first, virtual_hosts: hosts }, ...rest] };
}

/** The NACK flood's own small fleet: each round moves its listener, so every client gets a new LDS response to reject. */
function publishFlood(round: number): void {
  server.publishFleet('flood', fixtures.fleetResources({ routes: { 'flood.example.com': 'default/flood/80' }, endpoints: { 'default/flood/80': [50001] }, listenerPort: 10_000 + round }));
}

function stats(): ServerStats {
  const memory = process.memoryUsage();
  const mib = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;
  const maxLoopDelayMs = Math.round(loopDelay.max / 1e6);
  loopDelay.reset();
  return { rssMiB: mib(memory.rss), heapUsedMiB: mib(memory.heapUsed), externalMiB: mib(memory.external), maxLoopDelayMs, streams: server.streams().length, logLines, logBytes, longestLogLine };
}

function send(message: ServerMessage): void {
  process.send?.(message);
}
