// Authenticated HTTP to the Kubernetes API for the two requests the watch layer makes: a JSON GET
// and a streamed watch. The client library provides kubeconfig, credentials and TLS; the requests
// themselves are plain node:https so that timeouts and aborts are fully in our hands (the
// library's own watch has no client-side timeout in 1.4, so a half-open connection hangs forever).
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';

export class KubeHttpError extends Error {
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

async function requestOptions(kc: KubeConfig, path: string, signal: AbortSignal, method = 'GET', contentType?: string): Promise<{ url: URL; options: https.RequestOptions }> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(path, server);
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (contentType) headers['Content-Type'] = contentType;
  const options: https.RequestOptions = { method, headers, signal };
  await kc.applyToHTTPSOptions(options);
  return { url, options };
}

function send(url: URL, options: https.RequestOptions, onResponse: (response: http.IncomingMessage) => void, onError: (error: Error) => void, body?: string): http.ClientRequest {
  const request = (url.protocol === 'https:' ? https : http).request(url, options, onResponse);
  request.on('error', onError);
  request.end(body);
  return request;
}

export function getJson(kc: KubeConfig, path: string, signal: AbortSignal): Promise<unknown> {
  return requestJson(kc, 'GET', path, signal);
}

/**
 * A JSON request with the body written by us, byte for byte: needed where the client library's
 * serializer gets a type wrong (it writes MicroTime fields such as a Lease's renewTime with
 * millisecond precision, which the API server refuses to parse).
 */
export async function requestJson(kc: KubeConfig, method: string, path: string, signal: AbortSignal, body?: unknown, contentType = 'application/json'): Promise<unknown> {
  const { url, options } = await requestOptions(kc, path, signal, method, body === undefined ? undefined : contentType);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    send(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if ((response.statusCode ?? 0) >= 300) {
          reject(new KubeHttpError(`${method} ${url.pathname}: ${response.statusCode} ${statusMessage(body)}`, response.statusCode ?? 0));
          return;
        }
        try {
          resolve(JSON.parse(body));
        } catch {
          reject(new Error(`${method} ${url.pathname}: the response is not JSON`));
        }
      });
    }, reject, payload);
  });
}

/**
 * Streams a watch, calling onEvent for every JSON line. Resolves when the server ends the watch,
 * rejects on errors; `idleMs` without a single byte (not even a bookmark) counts as an error.
 */
export async function streamWatch(kc: KubeConfig, path: string, signal: AbortSignal, idleMs: number, onEvent: (event: unknown) => void): Promise<void> {
  const { url, options } = await requestOptions(kc, path, signal);
  return new Promise((resolve, reject) => {
    let idleTimer: NodeJS.Timeout | undefined;
    const request = send(url, options, (response) => {
      if ((response.statusCode ?? 0) >= 300) {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => reject(new KubeHttpError(`watch ${url.pathname}: ${response.statusCode} ${statusMessage(Buffer.concat(chunks).toString('utf8'))}`, response.statusCode ?? 0)));
        return;
      }
      let pending = '';
      const resetIdle = (): void => {
        clearTimeout(idleTimer);
        idleTimer = setTimeout(() => request.destroy(new Error(`watch ${url.pathname}: nothing received for ${idleMs} ms`)), idleMs);
      };
      resetIdle();
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        resetIdle();
        pending += chunk;
        let newline: number;
        while ((newline = pending.indexOf('\n')) >= 0) {
          const line = pending.slice(0, newline).trim();
          pending = pending.slice(newline + 1);
          if (line === '') continue;
          try {
            onEvent(JSON.parse(line));
          } catch (error) {
            // Rejected here, not through destroy(): when the server ends the stream right after
            // the event (as some proxies do after an ERROR), 'end' would resolve first.
            const failure = error instanceof Error ? error : new Error(String(error));
            clearTimeout(idleTimer);
            reject(failure);
            request.destroy(failure);
            return;
          }
        }
      });
      response.on('error', (error) => {
        clearTimeout(idleTimer);
        reject(error);
      });
      response.on('end', () => {
        clearTimeout(idleTimer);
        resolve();
      });
    }, (error) => {
      clearTimeout(idleTimer);
      reject(error);
    });
  });
}

function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as { message?: string };
    return status.message ?? body.slice(0, 200);
  } catch {
    return body.slice(0, 200);
  }
}
