// A bidirectional gRPC stream spoken straight over node:http2, for the simulated fleet: messages
// framed with gRPC's 5-byte prefix (a compressed flag, then the length), the status read from the
// trailers. grpc-js's client call stack (resolver, load balancer, retries, interceptors, a stream
// decoder) cost the fleet's processes about as much CPU as the messages themselves, and they share
// this machine's two cores with the server under test. An Envoy's C++ client costs its own host,
// never the control plane's; the fleet should cost as little as it can.
import * as http2 from 'node:http2';

/** How a stream ended: a gRPC status code and message (from the trailers, or made up when there were none). */
export interface StreamStatus {
  code: number;
  details: string;
}

/** gRPC status codes the fleet reports itself. */
const CANCELLED = 1;
const INTERNAL = 13;
const UNAVAILABLE = 14;

/** grpc-message is percent-encoded; a malformed one is shown as sent. */
function percentDecoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * HTTP/2 flow-control windows, stream and connection, as Envoy sets them by default (256 MiB:
 * Http2ProtocolOptions.initial_stream_window_size and initial_connection_window_size in
 * api/envoy/config/core/v3/protocol.proto). The HTTP/2 default is 64 KiB, and a 0.8 MB route
 * table would then take a dozen window updates from a busy client process before the server
 * could finish writing it: a cost no Envoy imposes.
 */
export const ENVOY_WINDOW_BYTES = 256 * 1024 * 1024;

/** node:http2's per-session memory cap is 10 MB; a 10,000-Ingress SotW route table is 6 MB. */
const SESSION_MEMORY_MB = 1024;

/** Connections to `address`, `streamsPerConnection` streams on each (1: a connection per client, like Envoys). */
export function connect(address: string, streamsPerConnection = 1): () => http2.ClientHttp2Session {
  let shared: http2.ClientHttp2Session | undefined;
  let used = 0;
  return () => {
    if (!shared || shared.closed || shared.destroyed || used >= streamsPerConnection) {
      const session = http2.connect(`http://${address}`, { settings: { initialWindowSize: ENVOY_WINDOW_BYTES }, maxSessionMemory: SESSION_MEMORY_MB });
      session.on('connect', () => session.setLocalWindowSize(ENVOY_WINDOW_BYTES));
      // Each stream reports the failure as its status; the session's own event only must not crash the process.
      session.on('error', () => undefined);
      shared = session;
      used = 0;
    }
    used++;
    return shared;
  };
}

/** Streams open on each connection. */
const openStreams = new WeakMap<http2.ClientHttp2Session, number>();

export class GrpcStream {
  private readonly request: http2.ClientHttp2Stream;
  /** Received bytes not yet made into messages. */
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  /** The length of the message being received, once its prefix has arrived. */
  private messageLength = -1;
  private ended = false;
  private cancelled = false;

  constructor(
    session: http2.ClientHttp2Session,
    path: string,
    private readonly onMessage: (message: Buffer) => void,
    private readonly onStatus: (status: StreamStatus) => void,
  ) {
    this.request = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' }, { endStream: false });
    this.request.on('data', (chunk: Buffer) => {
      try {
        this.received(chunk);
      } catch (error) {
        // Bytes that are no gRPC message, or a handler's bug: this stream ends, not the fleet process.
        this.end({ code: INTERNAL, details: `the fleet could not take a message: ${error instanceof Error ? error.message : String(error)}` });
        this.request.close(http2.constants.NGHTTP2_CANCEL);
      }
    });
    this.request.on('response', (headers) => {
      // A status with the headers is a trailers-only response: the server refused the call.
      if (headers['grpc-status'] !== undefined) this.statusFrom(headers);
      else if (headers[':status'] !== 200) this.end({ code: UNAVAILABLE, details: `HTTP status ${headers[':status']}, not a gRPC response` });
    });
    this.request.on('trailers', (trailers) => this.statusFrom(trailers));
    this.request.on('error', () => undefined);
    openStreams.set(session, (openStreams.get(session) ?? 0) + 1);
    this.request.on('close', () => {
      // A connection closes with its last stream: nothing else would end it.
      const open = (openStreams.get(session) ?? 1) - 1;
      openStreams.set(session, open);
      if (open === 0 && !session.closed) session.close();
      const why = this.cancelled ? 'cancelled by the client' : `closed without a status (HTTP/2 error code ${this.request.rstCode ?? 'none'})`;
      this.end({ code: this.cancelled ? CANCELLED : UNAVAILABLE, details: why });
    });
  }

  write(message: Buffer): void {
    if (this.ended) return;
    const frame = Buffer.allocUnsafe(5 + message.length);
    frame[0] = 0; // not compressed
    frame.writeUInt32BE(message.length, 1);
    message.copy(frame, 5);
    this.request.write(frame);
  }

  cancel(): void {
    this.cancelled = true;
    this.request.close(http2.constants.NGHTTP2_CANCEL);
  }

  private statusFrom(headers: http2.IncomingHttpHeaders): void {
    const code = headers['grpc-status'];
    if (code === undefined) return;
    const message = headers['grpc-message'];
    this.end({ code: Number(code), details: percentDecoded(typeof message === 'string' ? message : '') });
  }

  private end(status: StreamStatus): void {
    if (this.ended) return;
    this.ended = true;
    this.onStatus(status);
  }

  private received(chunk: Buffer): void {
    if (this.ended) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    for (;;) {
      if (this.messageLength < 0) {
        if (this.buffered < 5) return;
        const prefix = this.take(5);
        if (prefix[0] !== 0) throw new Error('the fleet asks for no compression, and got a compressed message');
        this.messageLength = prefix.readUInt32BE(1);
      }
      if (this.buffered < this.messageLength) return;
      const message = this.take(this.messageLength);
      this.messageLength = -1;
      this.onMessage(message);
    }
  }

  /** The next `n` received bytes (a view of one chunk when they are all in it). */
  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    this.buffered -= n;
    const first = this.chunks[0] as Buffer;
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Buffer;
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    return out;
  }
}
