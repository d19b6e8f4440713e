// The benchmark's handle on the server under attack (attack-server.ts, a child process): start it,
// send it commands, read /metrics and /debug/xds, and notice when it dies.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerCommand, ServerMessage, ServerStats } from './attack-server.js';

const ENTRY = fileURLToPath(new URL('./attack-server.ts', import.meta.url));

type Ready = Extract<ServerMessage, { kind: 'ready' }>;

export interface SeriesCount {
  series: number;
  /** Series labelled with a fleet. */
  fleetSeries: number;
  bytes: number;
}
type CommandBody = ServerCommand extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;

export class AttackedServer {
  private readonly pending = new Map<number, { resolve: (message: Extract<ServerMessage, { kind: 'done' }>) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  /** Why the server exited, once it has. */
  exited?: string;

  private constructor(
    private readonly child: ChildProcess,
    readonly ready: Ready,
  ) {
    child.on('message', (message: ServerMessage) => {
      if (message.kind !== 'done') return;
      this.pending.get(message.id)?.resolve(message);
      this.pending.delete(message.id);
    });
  }

  static async start(root: string, ingresses: number, options: object): Promise<AttackedServer> {
    const child = fork(ENTRY, [root, String(ingresses), JSON.stringify(options)], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
    });
    const tail: string[] = [];
    child.stderr?.on('data', (chunk: Buffer) => {
      tail.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== '').map((line) => line.slice(0, 300)));
      tail.splice(0, Math.max(0, tail.length - 12));
    });
    const ready = await new Promise<Ready>((resolve, reject) => {
      child.once('message', (message: ServerMessage) => (message.kind === 'ready' ? resolve(message) : reject(new Error('unexpected first message'))));
      child.once('exit', (code) => reject(new Error(`server exited before it was ready (${code}): ${tail.join(' | ')}`)));
    });
    const server = new AttackedServer(child, ready);
    child.on('exit', (code, signal) => {
      server.exited = `exit code ${code ?? '–'}${signal ? `, signal ${signal}` : ''}; stderr: ${tail.join(' | ') || '(nothing)'}`;
      for (const { reject } of server.pending.values()) reject(new Error(`server died: ${server.exited}`));
      server.pending.clear();
    });
    return server;
  }

  get address(): string {
    return `127.0.0.1:${this.ready.xdsPort}`;
  }

  command(body: CommandBody): Promise<Extract<ServerMessage, { kind: 'done' }>> {
    if (this.exited) return Promise.reject(new Error(`server died: ${this.exited}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ ...body, id } as ServerCommand);
    });
  }

  async stats(gc = false): Promise<ServerStats> {
    const reply = await this.command({ op: 'stats', gc });
    if (!reply.stats) throw new Error('no stats in reply');
    return reply.stats;
  }

  /** GET a health-port path: status, body size and time taken (or the error). */
  async get(path: string, timeoutMs = 60_000): Promise<{ status: number; bytes: number; ms: number; body: string } | { error: string; ms: number }> {
    const started = performance.now();
    try {
      const response = await fetch(`http://127.0.0.1:${this.ready.healthPort}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = await response.text();
      return { status: response.status, bytes: Buffer.byteLength(body), ms: performance.now() - started, body };
    } catch (error) {
      return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error), ms: performance.now() - started };
    }
  }

  /** Series in /metrics (lines that are not comments), those with a fleet label, and the page's size; NaN when unreadable. */
  async seriesCount(): Promise<SeriesCount> {
    const reply = await this.get('/metrics');
    if ('error' in reply) return { series: NaN, fleetSeries: NaN, bytes: NaN };
    const series = reply.body.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    return { series: series.length, fleetSeries: series.filter((line) => line.includes('fleet="')).length, bytes: reply.bytes };
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
  }
}
