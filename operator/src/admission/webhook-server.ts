// The HTTPS endpoint the API server calls: POST /validate with an AdmissionReview. Every replica
// serves it (the webhook Service spreads calls); the certificate can be swapped while serving.
// Bodies are bounded and read with a deadline; the object is handed to the pure judge as data.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../../../observability/src/index.js';
import { AdmissionReviewError, parseAdmissionReview, review } from './admission-review.js';
import type { ReviewContext } from './admission-review.js';

/**
 * An Ingress is at most etcd's 1.5 MiB, sent twice on UPDATE (object and oldObject). The port is
 * reachable from any pod, so what it may hold at once is bounded: a few reviews in flight, each
 * bounded, and a bounded number of connections. Beyond that it answers 429, which the API
 * server's failurePolicy Ignore turns into "allowed": admission is advice; translation still
 * judges every Ingress.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
export const MAX_REVIEWS_IN_FLIGHT = 4;
const MAX_CONNECTIONS = 64;

export interface WebhookServerOptions {
  logger: Logger;
  cert: string;
  key: string;
  context: () => ReviewContext;
}

export class WebhookServer {
  private readonly server: https.Server;

  constructor(private readonly options: WebhookServerOptions) {
    this.server = https.createServer({ cert: options.cert, key: options.key, minVersion: 'TLSv1.2', requestTimeout: 10_000, headersTimeout: 5_000 }, (request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        options.logger.error('admission.failed', { error });
        if (!response.headersSent) send(response, 500, { message: 'internal error' });
      });
    });
    // Idle keep-alive connections from the API server are fine; half-open ones are not kept forever.
    this.server.keepAliveTimeout = 30_000;
    this.server.maxConnections = MAX_CONNECTIONS;
  }

  private inFlight = 0;

  /** A new certificate for new connections (rotation); open ones carry on. */
  setCertificate(cert: string, key: string): void {
    this.server.setSecureContext({ cert, key });
  }

  async listen(address: string): Promise<number> {
    const separator = address.lastIndexOf(':');
    const host = address.slice(0, separator).replace(/^\[|\]$/g, '');
    const port = Number(address.slice(separator + 1));
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host || undefined, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'https://webhook').pathname;
    if (path !== '/validate') return send(response, 404, { message: 'not found: the webhook is POST /validate' });
    if (request.method !== 'POST') return send(response, 405, { message: 'POST an AdmissionReview' });
    if (this.inFlight >= MAX_REVIEWS_IN_FLIGHT) {
      request.resume();
      response.setHeader('retry-after', '1');
      return send(response, 429, { message: `more than ${MAX_REVIEWS_IN_FLIGHT} reviews in flight` });
    }
    this.inFlight += 1;
    try {
      await this.validate(request, response);
    } finally {
      this.inFlight -= 1;
    }
  }

  private async validate(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    if (body === undefined) return send(response, 413, { message: `the body is larger than ${MAX_BODY_BYTES} bytes` });
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return send(response, 400, { message: 'the body is not JSON' });
    }
    try {
      const admissionRequest = parseAdmissionReview(parsed);
      const started = performance.now();
      const { review: answer, verdict } = review(admissionRequest, this.options.context());
      if (verdict?.ingressClass !== undefined) {
        this.options.logger.info('admission.reviewed', {
          ingress: `${admissionRequest.namespace ?? ''}/${admissionRequest.name ?? ''}`,
          operation: admissionRequest.operation,
          ingressClass: verdict.ingressClass,
          allowed: verdict.allowed,
          warnings: verdict.warnings.length,
          ms: Math.round(performance.now() - started),
        });
      }
      return send(response, 200, answer);
    } catch (error) {
      if (error instanceof AdmissionReviewError) return send(response, 400, { message: error.message });
      throw error;
    }
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/** The body as text, or undefined when it is over the limit (reading stops there). */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        over = true;
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}
