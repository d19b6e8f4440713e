// Attack (b): streams that never read a byte of their responses, next to healthy clients, while
// the configuration keeps changing. Before the fix their unsent route tables held the push budget
// (after 27 edits no healthy client got another update); keepalive never noticed, as their
// transport still answers pings. Each stuck stream here subscribes to the route table (the largest
// response) and, as a hostile client would, reconnects whenever the server resets it.
import { Fleet } from '../fleet/fleet.js';
import { typeUrlOf } from '../../xds-server/src/protos/envoy-protos.js';
import { StalledAdsClient } from '../../xds-server/src/test-support/stalled-ads-client.js';
import type { ServerStats } from './attack-server.js';
import type { AttackedServer } from './attacked-server.js';

export interface SlowReadersOptions {
  stuck: number;
  healthy: number;
  edits: number;
  /** How long to wait for the healthy clients after each edit before counting who has it. */
  editTimeoutMs: number;
  /** A pause between edits. */
  pauseMs: number;
}

export interface EditOutcome {
  edit: number;
  converged: number;
  /** ms from the edit until the last healthy client that got it had it (NaN when none did). */
  ms: number;
  /** Bytes of responses handed to gRPC and not yet written, after the edit (NaN if the server does not say). */
  bytesInFlightMiB: number;
}

export interface SlowReadersResult {
  edits: EditOutcome[];
  /** Times the server reset a stuck stream (each then reconnected). */
  resets: number;
  connectMs: number;
  end: ServerStats;
  serverDied?: string;
}

export async function slowReaders(server: AttackedServer, options: SlowReadersOptions): Promise<SlowReadersResult> {
  // The healthy clients: the scale benchmark's simulated Envoys (CDS, EDS, LDS, RDS; ACK everything), in a child process.
  const fleet = new Fleet({ address: server.address, protocol: 'sotw', clients: options.healthy, nodeCluster: 'portico' });
  let running = true;
  let resets = 0;
  const stuck: StalledAdsClient[] = [];
  const stall = (i: number): void => {
    const client = new StalledAdsClient(server.address);
    stuck[i] = client;
    client.send({ node: { id: `stuck-${i}`, cluster: 'portico' }, type_url: typeUrlOf('routeConfiguration'), resource_names: [server.ready.routeConfigName] });
    void client.ended.then(() => {
      if (!running) return;
      resets += 1;
      setTimeout(() => running && stall(i), 100);
    });
  };
  try {
    const connectMs = await fleet.untilReady(300_000);
    for (let i = 0; i < options.stuck; i++) stall(i);
    // Let every stuck stream take in what its window allows and stop.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const edits: EditOutcome[] = [];
    for (let edit = 1; edit <= options.edits; edit++) {
      await fleet.mark();
      const started = performance.now();
      await server.command({ op: 'edit', edit });
      let converged = 0;
      let lastMs = NaN;
      for (;;) {
        const status = await fleet.status();
        if (status.routed > converged) {
          converged = status.routed;
          lastMs = performance.now() - started;
        }
        if (converged === options.healthy || performance.now() - started > options.editTimeoutMs) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      edits.push({ edit, converged, ms: lastMs, bytesInFlightMiB: await bytesInFlightMiB(server) });
      await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
    }
    return { edits, resets, connectMs, end: await server.stats() };
  } catch (error) {
    if (!server.exited) throw error;
    return { edits: [], resets, connectMs: NaN, end: { rssMiB: NaN, heapUsedMiB: NaN, externalMiB: NaN, maxLoopDelayMs: NaN, streams: 0, logLines: NaN, logBytes: NaN, longestLogLine: NaN }, serverDied: server.exited };
  } finally {
    running = false;
    for (const client of stuck) client.close();
    await fleet.stop();
  }
}

async function bytesInFlightMiB(server: AttackedServer): Promise<number> {
  const metrics = await server.get('/metrics');
  if ('error' in metrics) return NaN;
  const match = /^portico_xds_push_bytes_in_flight (\S+)$/m.exec(metrics.body);
  return match ? Math.round((Number(match[1]) / 2 ** 20) * 10) / 10 : NaN;
}
