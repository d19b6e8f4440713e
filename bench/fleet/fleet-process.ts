// A child process running part of the simulated fleet. Started by Fleet (fleet.ts) with
//   node --import tsx fleet-process.ts <address> <sotw|delta> <count> <first id> <node cluster> <streams per connection>
// and driven over IPC: 'mark' starts a measurement window on every client, 'status' reports it.
import { FleetClient, FleetTally, connect } from './client.js';
import type { Protocol } from './client.js';

/** What a fleet process reports (FleetTally's counts: see there). */
export type FleetStatus = Omit<FleetTally, 'mark'>;

export type FleetCommand = { op: 'mark' | 'status' | 'stop'; id: number };
export type FleetReply = { id: number; status: FleetStatus };

const [address = '', protocol = 'sotw', count = '0', first = '0', cluster = '', perConnection = '1'] = process.argv.slice(2);
const channel = connect(address, Number(perConnection));
const tally = new FleetTally();
const clients: FleetClient[] = [];
for (let i = 0; i < Number(count); i++) {
  clients.push(new FleetClient({ id: `bench-envoy-${Number(first) + i}`, cluster }, protocol as Protocol, channel, tally));
}

function status(): FleetStatus {
  const { clients, ready, responded, routed, bytes, responses, lastAckMs, reconnects, ended, endedWhy } = tally;
  return { clients, ready, responded, routed, bytes, responses, lastAckMs, reconnects, ended, endedWhy };
}

process.on('message', (command: FleetCommand) => {
  if (command.op === 'mark') {
    for (const c of clients) c.mark();
    tally.mark();
  }
  if (command.op === 'stop') {
    for (const c of clients) c.close();
    setTimeout(() => process.exit(0), 100);
  }
  process.send?.({ id: command.id, status: status() } satisfies FleetReply);
});
process.on('disconnect', () => process.exit(0));
// Exit normally on the runner's SIGTERM, so flags such as --cpu-prof (FLEET_NODE_ARGS) write their files.
process.on('SIGTERM', () => process.exit(0));
