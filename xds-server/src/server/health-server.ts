// Liveness, readiness, metrics and a JSON view of the xDS state on a small HTTP listener, kept
// off the xDS port so probes and scrapes never compete with configuration pushes.
// /debug/xds is written in bounded chunks (bounded-json.ts), yielding to the event loop between
// them, and at most MAX_DEBUG_RENDERS requests build it at once: one large view must not stall
// the xDS server, and many must not multiply it.
import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { DEBUG_JSON_BOUNDS, boundedJson } from './bounded-json.js';
import type { JsonBounds } from './bounded-json.js';

export interface HealthSources {
  /** Ready to serve traffic: listening, configuration loaded, not shutting down. */
  ready(): boolean;
  /** Prometheus text exposition. */
  metrics(): string;
  /** JSON served on /debug/xds (bounded when written: see bounded-json.ts). */
  debug(): unknown;
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
  ) {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '/').split('?')[0];
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
          return send(200, 'text/plain; version=0.0.4', this.sources.metrics());
        case '/debug/xds':
          if (this.debugRenders >= MAX_DEBUG_RENDERS) {
            response.setHeader('retry-after', '1');
            return send(503, 'text/plain', 'busy rendering /debug/xds for other requests; try again\n');
          }
          return void this.sendDebug(response);
        default:
          return send(404, 'text/plain', 'not found: try /healthz, /readyz, /metrics, /debug/xds\n');
      }
    });
  }

  private async sendDebug(response: ServerResponse): Promise<void> {
    this.debugRenders += 1;
    try {
      const view = this.sources.debug();
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      for (const chunk of boundedJson(view, this.debugBounds)) {
        if (response.destroyed) return;
        if (!response.write(chunk)) await drained(response, this.debugDrainTimeoutMs);
        await nextTurn();
      }
      response.end('\n');
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end(`failed to render /debug/xds: ${error instanceof Error ? error.message : String(error)}\n`);
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
      response.destroy(new Error(`/debug/xds reader did not read for ${timeoutMs} ms`));
      done();
    }, timeoutMs);
    timer.unref();
    response.on('drain', done);
    response.on('close', done);
  });
}
