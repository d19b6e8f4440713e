// Starts an XdsServer on an ephemeral 127.0.0.1 port with its log lines captured for assertions.
import { createLogger } from '../../../observability/src/index.js';
import type { LogFields } from '../../../observability/src/index.js';
import { XdsServer } from '../server/xds-server.js';
import type { XdsServerOptions } from '../server/xds-server.js';

export interface TestServer {
  server: XdsServer;
  address: string;
  logs: LogFields[];
  /** Log lines with this event name. */
  events(event: string): LogFields[];
}

export async function startTestServer(options: XdsServerOptions = {}): Promise<TestServer> {
  const logs: LogFields[] = [];
  const logger = createLogger({ level: 'debug', write: (line) => void logs.push(JSON.parse(line) as LogFields) });
  const server = new XdsServer({ logger, ...options });
  const port = await server.start('127.0.0.1:0');
  return { server, address: `127.0.0.1:${port}`, logs, events: (event) => logs.filter((l) => l['event'] === event) };
}

export async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 2_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
