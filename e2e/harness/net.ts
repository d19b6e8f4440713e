// Small networking helpers: free loopback ports and readiness polling.
import { createServer } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';

/** A port that was free on 127.0.0.1 a moment ago (the same small race envtest accepts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

export interface Probe {
  status: number;
  body: string;
}

/** One GET; never rejects (connection errors come back as status 0). */
export function get(url: string, headers: Record<string, string> = {}): Promise<Probe> {
  const request = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    // The probe only asks "is it up yet?"; TLS trust is checked by the real clients.
    const req = request(url, { headers, rejectUnauthorized: false, timeout: 2_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => resolve({ status: 0, body: err.message }));
    req.end();
  });
}

/**
 * Polls `check` every 100 ms until it returns true. Fails early if `died` settles first (the
 * process under test exited), or after timeoutMs, with `describe()` in the message.
 */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  opts: { timeoutMs: number; died: Promise<string>; describe: () => string },
): Promise<void> {
  let deadReason: string | undefined;
  void opts.died.then((reason) => (deadReason = reason));
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (deadReason !== undefined) throw new Error(`${what}: process exited (${deadReason})\n${opts.describe()}`);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not ready after ${opts.timeoutMs} ms\n${opts.describe()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
