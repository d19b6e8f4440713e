// The simulated Envoy fleet: N ADS clients spread over child processes (so their CPU is not the
// server's, and two processes use both cores), driven from the benchmark runner.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Protocol } from './client.js';
import type { FleetCommand, FleetReply, FleetStatus } from './fleet-process.js';

const ENTRY = fileURLToPath(new URL('./fleet-process.ts', import.meta.url));
const POLL_MS = 100;

export interface FleetOptions {
  address: string;
  protocol: Protocol;
  clients: number;
  /** Envoy's node.cluster (Portico picks the fleet by it). */
  nodeCluster: string;
  processes?: number;
  /** Streams multiplexed on one HTTP/2 connection; 1 = a connection per client, as real Envoys. */
  streamsPerConnection?: number;
}

export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export class Fleet {
  private readonly children: ChildProcess[] = [];
  private readonly pending = new Map<number, (status: FleetStatus) => void>();
  private nextId = 0;
  private stopped = false;

  constructor(readonly options: FleetOptions) {
    // At most 250 clients a process: a client holds a whole response while it arrives, and 500
    // clients receiving a 10,000-Ingress table at once exhausted a 2 GiB heap.
    const processes = Math.min(options.processes ?? Math.ceil(options.clients / 250), options.clients);
    let first = 0;
    for (let p = 0; p < processes; p++) {
      const count = Math.floor(options.clients / processes) + (p < options.clients % processes ? 1 : 0);
      const child = fork(ENTRY, [options.address, options.protocol, String(count), String(first), options.nodeCluster, String(options.streamsPerConnection ?? 1)], {
        execArgv: ['--import', 'tsx', '--max-old-space-size=3072', ...(process.env['FLEET_NODE_ARGS'] ?? '').split(' ').filter(Boolean)],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.on('message', (reply: FleetReply) => {
        this.pending.get(reply.id)?.(reply.status);
        this.pending.delete(reply.id);
      });
      this.children.push(child);
      first += count;
    }
  }

  /** Pids of the client processes. */
  get pids(): number[] {
    return this.children.map((c) => c.pid ?? 0);
  }

  async mark(): Promise<void> {
    await this.all('mark');
  }

  async status(): Promise<FleetStatus> {
    const parts = await this.all('status');
    return parts.reduce((a, s) => ({
      clients: a.clients + s.clients,
      ready: a.ready + s.ready,
      responded: a.responded + s.responded,
      routed: a.routed + s.routed,
      bytes: a.bytes + s.bytes,
      responses: a.responses + s.responses,
      lastAckMs: Math.max(a.lastAckMs, s.lastAckMs),
      reconnects: a.reconnects + s.reconnects,
      ended: a.ended + s.ended,
      endedWhy: mergeCounts(a.endedWhy, s.endedWhy),
    }));
  }

  /** Waits until every client has its first full configuration; returns the wall time taken. */
  async untilReady(timeoutMs: number): Promise<number> {
    const started = nowMs();
    for (;;) {
      const s = await this.status();
      if (s.ready === this.options.clients) return nowMs() - started;
      if (s.ended > 0) throw new Error(`${s.ended} streams ended while connecting (${JSON.stringify(s.endedWhy)})`);
      if (nowMs() - started > timeoutMs) throw new Error(`only ${s.ready}/${this.options.clients} clients ready after ${timeoutMs} ms`);
      await sleep(50);
    }
  }

  /**
   * After a mark: waits until every client has received new routes (RDS, or VHDS for Delta: what
   * a single-Ingress edit changes) and the fleet has then been quiet for max(quietMs, half the time
   * since `since`), and returns the window (lastAckMs = when the last client ACKed). The quiet
   * period grows with the push because a server busy building large responses can pause longer
   * than a fixed window between the types it re-sends (SnapshotCache re-sends all of them).
   */
  async untilSettled(quietMs: number, timeoutMs: number, since = nowMs()): Promise<FleetStatus> {
    const started = nowMs();
    let previous = -1;
    let quietSince = nowMs();
    for (;;) {
      const s = await this.status();
      const now = nowMs();
      if (s.responses !== previous) {
        previous = s.responses;
        quietSince = now;
      }
      if (s.routed === this.options.clients && now - quietSince >= Math.max(quietMs, (now - since) / 2)) return s;
      if (now - started > timeoutMs) throw new Error(`only ${s.routed}/${this.options.clients} clients received routes within ${timeoutMs} ms`);
      // Asking costs every fleet process a wake-up on the cores the server runs on; how often it
      // asks changes no figure (clients time their own ACKs), only how soon the runner moves on.
      await sleep(POLL_MS);
    }
  }

  async stop(): Promise<void> {
    await Promise.race([this.all('stop'), sleep(2_000)]);
    this.stopped = true;
    for (const child of this.children) child.kill('SIGTERM');
  }

  private all(op: FleetCommand['op']): Promise<FleetStatus[]> {
    // A run abandoned by the runner (see scale.ts's memory guard) may still ask; its children are gone.
    if (this.stopped) return Promise.reject(new Error('the fleet was stopped'));
    return Promise.all(this.children.map((child) => new Promise<FleetStatus>((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      child.send({ op, id } satisfies FleetCommand);
    })));
  }
}

function mergeCounts(a: Record<string, number>, b: Record<string, number>): Record<string, number> {
  const merged = { ...a };
  for (const [key, count] of Object.entries(b)) merged[key] = (merged[key] ?? 0) + count;
  return merged;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
