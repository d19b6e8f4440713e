// Proxyless gRPC clients (grpc-js-xds) for end-to-end tests. Each channel gets its own bootstrap
// through grpc-js-xds's per-channel option, which gives it its own XdsClient and ADS stream:
// independent clients in one process, each with its own node id.
import * as grpc from '@grpc/grpc-js';
import { register } from '@grpc/grpc-js-xds';
import { grpcBootstrap } from '../../xds-server/src/bootstrap/grpc-bootstrap.js';
import { parseXdsAddress } from '../../xds-server/src/bootstrap/xds-address.js';
import { who } from './backends.js';
import type { WhoMethod } from './backends.js';

register();

const PER_CHANNEL_BOOTSTRAP = 'grpc.TEST_ONLY_DO_NOT_USE_IN_PROD.xds_bootstrap_config';

export interface XdsClientOptions {
  target: string;
  nodeId: string;
  fleet: string;
  xdsAddress: string;
  /** Resolve every target through the fleet's any-host listener. */
  anyHost?: boolean;
}

export interface XdsTestClient {
  nodeId: string;
  target: string;
  client: grpc.Client;
  who(method?: WhoMethod): Promise<string>;
}

export function xdsClient(options: XdsClientOptions): XdsTestClient {
  // Plain text: to standalone Portico on loopback, or to a TLS tunnel (tls-tunnel.ts) in cluster suites.
  const bootstrap = grpcBootstrap({ fleet: options.fleet, xds: parseXdsAddress(options.xdsAddress), nodeId: options.nodeId, anyHost: options.anyHost ?? false, tls: false });
  const client = new grpc.Client(`xds:///${options.target}`, grpc.credentials.createInsecure(), { [PER_CHANNEL_BOOTSTRAP]: JSON.stringify(bootstrap) });
  return { nodeId: options.nodeId, target: options.target, client, who: (method) => who(client, method) };
}

/**
 * Calls until the answer is `expected` (or the timeout passes); returns how long it took. Errors
 * count as "not yet": a client still resolving fails fast with UNAVAILABLE or a deadline.
 */
export async function untilAnswer(client: XdsTestClient, expected: string, timeoutMs: number, method?: WhoMethod): Promise<number> {
  const started = Date.now();
  let last = '';
  while (Date.now() - started < timeoutMs) {
    try {
      last = await client.who(method);
      if (last === expected) return Date.now() - started;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${client.target} (${client.nodeId}) still answers "${last}" after ${timeoutMs} ms, expected "${expected}"`);
}
