// What 100 connected Envoys cost the xDS server: RSS, heap and CPU, on the seed scenario.
//   node --expose-gc --import tsx bench/xds-clients.ts [clients=100] [manifests=examples/seed]
// The server runs in this process; the clients (cheap raw ADS clients that behave like Envoy:
// wildcard CDS and LDS, then EDS and RDS by name, ACKing everything) run in a child process, so
// the figures are the server's alone. Not a test: nothing here asserts, it prints.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildEnvoyConfig } from '../operator/src/pipeline.js';
import { loadManifests } from '../operator/src/sources/manifests/load-manifests.js';
import { XdsServer } from '../xds-server/src/index.js';
import type { FleetResources } from '../xds-server/src/index.js';
import { RawAdsClient } from '../xds-server/src/test-support/raw-ads-client.js';
import type { ReceivedResponse } from '../xds-server/src/test-support/raw-ads-client.js';
import { typeUrlOf } from '../xds-server/src/protos/envoy-protos.js';

const HERE = fileURLToPath(import.meta.url);

if (process.argv[2] === '--clients') {
  await runClients(process.argv[3] ?? '', Number(process.argv[4]), process.argv[5] ?? 'nginx');
} else {
  await runServer(Number(process.argv[2] ?? 100), process.argv[3] ?? 'examples/seed');
}

async function runServer(clientCount: number, manifests: string): Promise<void> {
  const loaded = loadManifests([manifests]);
  const config = buildEnvoyConfig(loaded.state);
  const fleet = config.fleets[0];
  if (!fleet) throw new Error(`no fleet in ${manifests}`);
  const server = new XdsServer();
  server.publishFleet(fleet.fleet, fleet.resources, fleet.origins, { grpc: fleet.grpc });
  const port = await server.start('127.0.0.1:0');
  global.gc?.();
  await sleep(500);
  const idle = sample();

  const children = spawn(process.execPath, ['--import', 'tsx', HERE, '--clients', `127.0.0.1:${port}`, String(clientCount), fleet.fleet], { stdio: 'inherit' });
  const connectCpu = process.cpuUsage();
  const connectStart = performance.now();
  await until(() => settled(server, clientCount));
  const connectMs = performance.now() - connectStart;
  const connectCpuMs = cpuMs(process.cpuUsage(connectCpu));
  await sleep(1_000);
  global.gc?.();
  const connected = sample();

  const idleCpu = process.cpuUsage();
  await sleep(5_000);
  const idleCpuMs = cpuMs(process.cpuUsage(idleCpu));

  // One endpoint change: every client gets one EDS response and ACKs it.
  const pushCpu = process.cpuUsage();
  const pushStart = performance.now();
  server.publishFleet(fleet.fleet, withEndpointPort(fleet.resources, 9999), fleet.origins, { grpc: fleet.grpc });
  await until(() => settled(server, clientCount));
  const pushMs = performance.now() - pushStart;
  const pushCpuMs = cpuMs(process.cpuUsage(pushCpu));
  const after = sample();

  children.kill('SIGTERM');
  await server.shutdown(1_000);

  const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  const lines = [
    `xDS server with ${clientCount} Envoy-like ADS clients on ${manifests} (node ${process.version}, ${process.platform}/${process.arch})`,
    `  before clients:      RSS ${mib(idle.rss)} MiB, heap used ${mib(idle.heapUsed)} MiB, external ${mib(idle.external)} MiB`,
    `  ${clientCount} connected:       RSS ${mib(connected.rss)} MiB, heap used ${mib(connected.heapUsed)} MiB, external ${mib(connected.external)} MiB`,
    `  per client:          RSS +${((connected.rss - idle.rss) / clientCount / 1024).toFixed(1)} KiB, heap +${((connected.heapUsed - idle.heapUsed) / clientCount / 1024).toFixed(1)} KiB`,
    `  connect + handshake: ${connectMs.toFixed(0)} ms wall, ${connectCpuMs.toFixed(0)} ms server CPU (${(connectCpuMs / clientCount).toFixed(2)} ms per client)`,
    `  idle, 5 s:           ${idleCpuMs.toFixed(0)} ms server CPU`,
    `  one endpoint change: ${pushMs.toFixed(0)} ms until all ${clientCount} ACKed, ${pushCpuMs.toFixed(0)} ms server CPU; RSS after ${mib(after.rss)} MiB`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
  process.exit(0);
}

/** Every stream answered its latest response of every type it asked for. */
function settled(server: XdsServer, clientCount: number): boolean {
  const streams = server.streams();
  if (streams.length < clientCount) return false;
  return streams.every((s) => Object.keys(s.types).length === 4 && Object.values(s.types).every((t) => t.sentVersion !== undefined && t.ackedVersion === t.sentVersion));
}

function withEndpointPort(resources: FleetResources, port: number): FleetResources {
  const [first, ...rest] = resources.clusterLoadAssignments;
  if (!first) return resources;
  const endpoints = first.endpoints?.map((group) => ({
    ...group,
    lb_endpoints: group.lb_endpoints?.map((lb) => ({ ...lb, endpoint: { ...lb.endpoint, address: { socket_address: { address: '127.0.0.1', port_value: port } } } })),
  }));
  return { ...resources, clusterLoadAssignments: [{ ...first, endpoints }, ...rest] };
}

async function runClients(address: string, count: number, fleet: string): Promise<void> {
  const clients: RawAdsClient[] = [];
  for (let i = 0; i < count; i++) {
    const client = new RawAdsClient(address, { id: `bench-envoy-${i}`, cluster: fleet });
    actLikeEnvoy(client);
    clients.push(client);
  }
  process.on('SIGTERM', () => {
    for (const client of clients) client.close();
    process.exit(0);
  });
  await new Promise(() => undefined);
}

/** Wildcard CDS and LDS; EDS for the clusters and RDS for the listeners' route names; ACK all. */
function actLikeEnvoy(client: RawAdsClient): void {
  const names: Record<string, string[]> = {};
  const subscribed = new Set<string>();
  const loop = async (): Promise<void> => {
    for (;;) {
      let response: ReceivedResponse;
      try {
        response = await client.next(undefined, 3_600_000);
      } catch {
        return;
      }
      client.ack(response, names[response.typeUrl] ?? []);
      if (response.typeUrl === typeUrlOf('cluster')) follow(typeUrlOf('clusterLoadAssignment'), response.resources.map((r) => r.name));
      if (response.typeUrl === typeUrlOf('listener')) follow(typeUrlOf('routeConfiguration'), response.resources.flatMap((r) => rdsNames(r.object)));
    }
  };
  const follow = (typeUrl: string, wanted: string[]): void => {
    names[typeUrl] = wanted;
    if (subscribed.has(typeUrl)) return; // later changes ride on the ACKs
    subscribed.add(typeUrl);
    client.send({ type_url: typeUrl, resource_names: wanted });
  };
  client.subscribe('cluster');
  client.subscribe('listener');
  void loop();
}

function rdsNames(listener: Record<string, unknown>): string[] {
  const text = JSON.stringify(listener);
  return [...text.matchAll(/"route_config_name":"([^"]+)"/g)].map((m) => m[1] ?? '');
}

function sample(): NodeJS.MemoryUsage {
  return process.memoryUsage();
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('clients did not settle within 60 s');
    await sleep(20);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
