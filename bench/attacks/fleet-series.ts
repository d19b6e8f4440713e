// Attack (c): clients naming made-up fleets in node.cluster. Before the fix each name became a
// series that outlived its stream (2,000 names, 2,001 series), and a 1 MB name a 1 MB label.
import * as grpc from '@grpc/grpc-js';
import { FleetClient, connect } from '../fleet/client.js';
import { RawAdsClient } from '../../xds-server/src/test-support/raw-ads-client.js';
import type { AttackedServer, SeriesCount } from './attacked-server.js';

export interface FleetSeriesResult {
  before: SeriesCount;
  connected: SeriesCount;
  afterDisconnect: SeriesCount;
  /** How the server answered a client whose node.cluster is 1 MB long. */
  hugeCluster: string;
  connectMs: number;
}

export async function fleetSeries(server: AttackedServer, fleets: number): Promise<FleetSeriesResult> {
  const before = await server.seriesCount();
  // 16 streams per connection (the server allows 100), so 2,000 streams need 125 connections, not 2,000.
  const channel = connect(server.address, 16);
  const started = performance.now();
  const clients = Array.from({ length: fleets }, (_, i) => new FleetClient({ id: `series-${i}`, cluster: `made-up-fleet-${i}` }, 'sotw', channel));
  const deadline = Date.now() + 120_000;
  while (clients.some((c) => !c.ready && !c.status)) {
    if (Date.now() > deadline) throw new Error('clients not answered within 120 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const connectMs = performance.now() - started;
  const huge = new RawAdsClient(server.address, { id: 'series-huge', cluster: 'h'.repeat(1_000_000) }, false);
  huge.subscribe('cluster');
  huge.next('cluster', 10_000).catch(() => undefined);
  const hugeCluster = await Promise.race([
    huge.ended.then((status) => `refused: ${grpc.status[status.code]}, "${status.details.slice(0, 100)}"`),
    new Promise<string>((resolve) => setTimeout(() => resolve('served: its stream is open'), 5_000)),
  ]);
  const connected = await server.seriesCount();
  for (const client of clients) client.close();
  huge.close();
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  const afterDisconnect = await server.seriesCount();
  return { before, connected, afterDisconnect, hugeCluster, connectMs };
}
