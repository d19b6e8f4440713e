// Liveness, readiness, metrics and a JSON view of the xDS state on a small HTTP listener, kept
// off the xDS port so probes and scrapes never compete with configuration pushes.
// /debug/xds is written in bounded chunks (bounded-json.ts), yielding to the event loop between
// them, and at most MAX_DEBUG_RENDERS requests build it at once: one large view must not stall
// the xDS server, and many must not multiply it. /debug/config_dump?fleet=F[&node=N] (what a
// fleet, or a node's streams, receive: config-dump.ts) is written the same way and shares the slots.
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { CONFIG_DUMP_BOUNDS, DEBUG_JSON_BOUNDS, boundedJson } from './bounded-json.js';
import type { JsonBounds } from './bounded-json.js';

export interface HealthSources {
  /** Ready to serve traffic: listening, configuration loaded, not shutting down. */
  ready(): boolean;
  /** Prometheus text exposition. */
  metrics(): string | Promise<string>;
  /** JSON served on /debug/xds (bounded when written: see bounded-json.ts). */
  debug(): unknown;
  /** JSON served on /debug/config_dump: what `fleet` (or `node`'s streams in it) receive; undefined is 404. */
  configDump?(fleet: string, node?: string): unknown;
}

/** /debug/xds requests served at once; more get 503 and try again. */
export const MAX_DEBUG_RENDERS = 2;
const DEBUG_DRAIN_TIMEOUT_MS = 10_000;

export class HealthServer {
  private readonly server: Server;
  private debugRenders = 0;

  constructor(
    private readonly sources: HealthSources,
    private readonly debugBounds: JsonBounds = DEBUG_JSON_BOUNDS,
    /** A /debug/xds reader that stops reading for this long is cut off: it holds a render slot. */
    private readonly debugDrainTimeoutMs = DEBUG_DRAIN_TIMEOUT_MS,
    private readonly configDumpBounds: JsonBounds = CONFIG_DUMP_BOUNDS,
  ) {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://health');
      const path = url.pathname;
      const send = (status: number, type: string, body: string): void => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
        response.end(body);
      };
      switch (path) {
        case '/healthz':
          return send(200, 'text/plain', 'ok\n');
        case '/readyz':
          return this.sources.ready() ? send(200, 'text/plain', 'ready\n') : send(503, 'text/plain', 'not ready\n');
        case '/metrics':
          return void Promise.resolve()
            .then(() => this.sources.metrics())
            .then(
              (text) => send(200, 'text/plain; version=0.0.4; charset=utf-8', text),
              (error: unknown) => send(500, 'text/plain', `failed to render /metrics: ${error instanceof Error ? error.message : String(error)}\n`),
            );
        case '/debug/xds':
          if (this.debugRenders >= MAX_DEBUG_RENDERS) {
            response.setHeader('retry-after', '1');
            return send(503, 'text/plain', 'busy rendering /debug/xds for other requests; try again\n');
          }
          return void this.sendDebug(response, path, () => this.sources.debug(), this.debugBounds);
        case '/debug/config_dump': {
          const fleet = url.searchParams.get('fleet');
          const node = url.searchParams.get('node') ?? undefined;
          if (!this.sources.configDump) return send(404, 'text/plain', 'no config dump here\n');
          if (fleet === null) return send(400, 'text/plain', 'say which fleet: /debug/config_dump?fleet=<IngressClass name>[&node=<node id>]\n');
          if (this.debugRenders >= MAX_DEBUG_RENDERS) {
            response.setHeader('retry-after', '1');
            return send(503, 'text/plain', 'busy rendering debug views for other requests; try again\n');
          }
          const dump = this.sources.configDump.bind(this.sources);
          return void this.sendDebug(response, path, () => dump(fleet, node), this.configDumpBounds);
        }
        default:
          return send(404, 'text/plain', 'not found: try /healthz, /readyz, /metrics, /debug/xds, /debug/config_dump?fleet=<name>\n');
      }
    });
  }

  private async sendDebug(response: ServerResponse, path: string, render: () => unknown, bounds: JsonBounds): Promise<void> {
    this.debugRenders += 1;
    try {
      const view = render();
      if (view === undefined) {
        response.writeHead(404, { 'content-type': 'text/plain', 'cache-control': 'no-store' });
        response.end('no such fleet, or no open stream of that node in it\n');
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      for (const chunk of boundedJson(view, bounds)) {
        if (response.destroyed) return;
        if (!response.write(chunk)) await drained(response, this.debugDrainTimeoutMs);
        await nextTurn();
      }
      response.end('\n');
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`failed to render ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
    } finally {
      this.debugRenders -= 1;
    }
  }

  /** Listens on "host:port" (port 0 picks one); resolves with the port. */
  async listen(address: string): Promise<number> {
    const separator = address.lastIndexOf(':');
    const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
    const port = Number(address.slice(separator + 1));
    if (separator < 0 || !Number.isInteger(port)) throw new Error(`health address must be HOST:PORT, got "${address}"`);
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

/** Resolves when the response can take more, or is gone. */
function drained(response: ServerResponse, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      response.off('drain', done);
      response.off('close', done);
      resolve();
    };
    const timer = setTimeout(() => {
      response.destroy(new Error(`debug view reader did not read for ${timeoutMs} ms`));
      done();
    }, timeoutMs);
    timer.unref();
    response.on('drain', done);
    response.on('close', done);
  });
}
