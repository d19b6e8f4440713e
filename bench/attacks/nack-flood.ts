// Attack (a): streams that NACK every response with a 3.9 MB error_detail. Before the fix the
// server kept each message per stream and per node, logged it whole, and /debug/xds then blocked
// the event loop for seconds and threw RangeError (Invalid string length).
import { RawAdsClient } from '../../xds-server/src/test-support/raw-ads-client.js';
import type { ReceivedResponse } from '../../xds-server/src/test-support/raw-ads-client.js';
import { RawDeltaClient } from '../../xds-server/src/test-support/raw-delta-client.js';
import type { DeltaReceivedResponse } from '../../xds-server/src/test-support/raw-delta-client.js';
import type { ServerStats } from './attack-server.js';
import type { AttackedServer } from './attacked-server.js';

export interface NackFloodOptions {
  streams: number;
  bytes: number;
  rounds: number;
  /** Times each client sends each NACK (the same answer repeated, as grpc-js-xds does on subscription changes). */
  repeats: number;
}

export interface NackFloodResult {
  before: ServerStats;
  after: ServerStats;
  afterGc: ServerStats;
  /** After the flooding clients disconnected (and a GC). */
  afterClose: ServerStats;
  nacksRecorded: number;
  debug: { status: number; bytes: number; ms: number } | { error: string; ms: number };
  serverDied?: string;
}

interface Flooder {
  next(): Promise<ReceivedResponse | DeltaReceivedResponse>;
  nack(response: ReceivedResponse | DeltaReceivedResponse, message: string): void;
  ack(response: ReceivedResponse | DeltaReceivedResponse): void;
  close(): void;
}

export async function nackFlood(server: AttackedServer, options: NackFloodOptions): Promise<NackFloodResult> {
  const message = `resource index 0: ${'x'.repeat(options.bytes)}`;
  const flooders = Array.from({ length: options.streams }, (_, i) => flooder(server.address, i));
  try {
    for (const f of flooders) f.ack(await f.next());
    const before = await server.stats(true);
    for (let round = 1; round <= options.rounds; round++) {
      await server.command({ op: 'flood-round', round });
      await Promise.all(flooders.map(async (f) => {
        const response = await f.next();
        for (let r = 0; r < options.repeats; r++) f.nack(response, message);
      }));
      await until(async () => (await nacksRecorded(server)) >= options.streams * round, 120_000);
    }
    const after = await server.stats();
    const debug = await server.get('/debug/xds');
    const afterGc = await server.stats(true);
    const debugFigures = 'body' in debug ? { status: debug.status, bytes: debug.bytes, ms: debug.ms } : debug;
    const recorded = await nacksRecorded(server);
    for (const f of flooders) f.close();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const afterClose = await server.stats(true);
    return { before, after, afterGc, afterClose, nacksRecorded: recorded, debug: debugFigures };
  } catch (error) {
    if (!server.exited) throw error;
    const dead: ServerStats = { rssMiB: NaN, heapUsedMiB: NaN, externalMiB: NaN, maxLoopDelayMs: NaN, streams: 0, logLines: NaN, logBytes: NaN, longestLogLine: NaN };
    return { before: dead, after: dead, afterGc: dead, afterClose: dead, nacksRecorded: NaN, debug: { error: 'server died', ms: NaN }, serverDied: server.exited };
  } finally {
    for (const f of flooders) f.close();
  }
}

/** Half SotW, half Delta; each subscribes to the flood fleet's listeners (wildcard). */
function flooder(address: string, i: number): Flooder {
  const node = { id: `flooder-${i}`, cluster: 'flood' };
  if (i % 2 === 0) {
    const c = new RawAdsClient(address, node, false);
    c.subscribe('listener');
    return {
      next: () => c.next('listener', 120_000),
      nack: (response, message) => c.nack(response as ReceivedResponse, message),
      ack: (response) => c.ack(response as ReceivedResponse),
      close: () => c.close(),
    };
  }
  const c = new RawDeltaClient(address, node, false);
  c.subscribe('listener');
  return {
    next: () => c.next('listener', 120_000),
    nack: (response, message) => c.nack(response as DeltaReceivedResponse, message),
    ack: (response) => c.ack(response as DeltaReceivedResponse),
    close: () => c.close(),
  };
}

async function nacksRecorded(server: AttackedServer): Promise<number> {
  const metrics = await server.get('/metrics');
  if ('error' in metrics) throw new Error(`/metrics: ${metrics.error}`);
  return [...metrics.body.matchAll(/^portico_xds_nacks_total\{[^}]*\} (\d+)$/gm)].reduce((sum, match) => sum + Number(match[1]), 0);
}

async function until(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
