// A child process running part of the simulated fleet. Started by Fleet (fleet.ts) with
//   node --import tsx fleet-process.ts <address> <sotw|delta> <count> <first id> <node cluster> <streams per connection>
// and driven over IPC: 'mark' starts a measurement window on every client, 'status' reports it.
import { FleetClient, connect } from './client.js';
import type { Protocol } from './client.js';

export interface FleetStatus {
  clients: number;
  /** Clients with every subscribed type answered at least once. */
  ready: number;
  /** Clients that received at least one response since the mark. */
  responded: number;
  /** Clients that received routes (RDS, or VHDS for Delta) since the mark. */
  routed: number;
  bytes: number;
  responses: number;
  /** Latest ACK since the mark, CLOCK_MONOTONIC ms (0 when none). */
  lastAckMs: number;
  /** Streams that ended (they should not). */
  ended: number;
  /** Why they ended: gRPC status code and details, with a count each. */
  endedWhy: Record<string, number>;
}

export type FleetCommand = { op: 'mark' | 'status' | 'stop'; id: number };
export type FleetReply = { id: number; status: FleetStatus };

const [address = '', protocol = 'sotw', count = '0', first = '0', cluster = '', perConnection = '1'] = process.argv.slice(2);
const channel = connect(address, Number(perConnection));
const clients: FleetClient[] = [];
for (let i = 0; i < Number(count); i++) {
  clients.push(new FleetClient({ id: `bench-envoy-${Number(first) + i}`, cluster }, protocol as Protocol, channel()));
}

function status(): FleetStatus {
  const s: FleetStatus = { clients: clients.length, ready: 0, responded: 0, routed: 0, bytes: 0, responses: 0, lastAckMs: 0, ended: 0, endedWhy: {} };
  for (const c of clients) {
    if (c.ready) s.ready++;
    if (c.window.responses > 0) s.responded++;
    if (c.window.routeResponses > 0) s.routed++;
    s.bytes += c.window.bytes;
    s.responses += c.window.responses;
    s.lastAckMs = Math.max(s.lastAckMs, c.window.lastAckMs);
    if (c.status) {
      s.ended++;
      const why = `${c.status.code} ${c.status.details}`;
      s.endedWhy[why] = (s.endedWhy[why] ?? 0) + 1;
    }
  }
  return s;
}

process.on('message', (command: FleetCommand) => {
  if (command.op === 'mark') for (const c of clients) c.mark();
  if (command.op === 'stop') {
    for (const c of clients) c.close();
    setTimeout(() => process.exit(0), 100);
  }
  process.send?.({ id: command.id, status: status() } satisfies FleetReply);
});
process.on('disconnect', () => process.exit(0));
