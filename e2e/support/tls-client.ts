// One-request HTTP and HTTPS clients for the TLS e2e cases: every call opens a new connection (a
// rotated certificate is only seen by new handshakes), HTTPS verifies the chain against the test
// CA, and the answer carries the status, headers, body and the served certificate's fingerprint.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented (HTTPS only). */
  certificate?: string;
}

export interface HttpsOptions {
  port: number;
  /** The Host header. */
  host: string;
  /** SNI, also the name the certificate is checked against; absent: no SNI, and only the chain is checked. */
  servername?: string;
  /** PEM of the CA the chain must verify against. */
  ca: string;
  path?: string;
  timeoutMs?: number;
}

/** GET over TLS to 127.0.0.1:port. Rejects if the chain does not verify (or, with SNI, the name does not match). */
export function httpsGet(options: HttpsOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = httpsRequest(
      {
        host: '127.0.0.1',
        port: options.port,
        path: options.path ?? '/',
        headers: { host: options.host },
        ca: options.ca,
        rejectUnauthorized: true,
        agent: false,
        timeout: options.timeoutMs ?? 2_000,
        // An IP as host sends no SNI; `servername` adds it. Without it, there is no name to check.
        ...(options.servername !== undefined ? { servername: options.servername } : { checkServerIdentity: () => undefined }),
      },
      (response) => collect(response, resolve, (response.socket as TLSSocket).getPeerCertificate().fingerprint256),
    );
    call.on('error', reject);
    call.on('timeout', () => call.destroy(new Error('timeout')));
    call.end();
  });
}

/** GET over plain HTTP to 127.0.0.1:port with this Host header. */
export function httpGet(port: number, host: string, path = '/', timeoutMs = 2_000): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const call = httpRequest({ host: '127.0.0.1', port, path, headers: { host }, agent: false, timeout: timeoutMs }, (response) => collect(response, resolve));
    call.on('error', reject);
    call.on('timeout', () => call.destroy(new Error('timeout')));
    call.end();
  });
}

function collect(response: IncomingMessage, resolve: (answer: Answer) => void, certificate?: string): void {
  let body = '';
  response.on('data', (chunk: Buffer) => (body += chunk.toString()));
  response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body, ...(certificate ? { certificate } : {}) }));
}
