// Liveness, readiness, metrics and a JSON view of the xDS state on a small HTTP listener, kept
// off the xDS port so probes and scrapes never compete with configuration pushes.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthSources {
  /** Ready to serve traffic: listening, configuration loaded, not shutting down. */
  ready(): boolean;
  /** Prometheus text exposition. */
  metrics(): string;
  /** JSON served on /debug/xds. */
  debug(): unknown;
}

export class HealthServer {
  private readonly server: Server;

  constructor(private readonly sources: HealthSources) {
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
          return send(200, 'application/json', JSON.stringify(this.sources.debug(), null, 2) + '\n');
        default:
          return send(404, 'text/plain', 'not found: try /healthz, /readyz, /metrics, /debug/xds\n');
      }
    });
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
