// An ADS client that sends its requests and never reads a byte of the answers, for tests and
// benchmarks of slow readers. It speaks HTTP/2 directly: a grpc-js client that is paused still
// takes in up to 16 messages, this one stops at the first flow-control window (64 KiB). Its
// transport stays healthy (Node answers pings), so keepalive never notices: exactly what the
// server's write deadline is for.
import { connect, constants } from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream } from 'node:http2';
import type { DeltaDiscoveryRequest } from '../generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';
import type { DiscoveryRequest } from '../generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import { DELTA_AGGREGATED_RESOURCES, STREAM_AGGREGATED_RESOURCES, encodeDeltaDiscoveryRequest, encodeDiscoveryRequest } from '../server/ads-service.js';

export interface StalledEnd {
  /** The HTTP/2 reset code the server ended the stream with (0 when it did not reset it). */
  rstCode: number;
  /** ms from the first request to the end. */
  afterMs: number;
}

export class StalledAdsClient {
  private readonly session: ClientHttp2Session;
  private readonly stream: ClientHttp2Stream;
  private readonly startedAt = Date.now();
  /** Resolves when the stream ends, whoever ends it. */
  readonly ended: Promise<StalledEnd>;

  constructor(address: string, protocol: 'sotw' | 'delta' = 'sotw') {
    this.session = connect(`http://${address}`);
    this.session.on('error', () => undefined);
    this.stream = this.session.request({
      [constants.HTTP2_HEADER_METHOD]: 'POST',
      [constants.HTTP2_HEADER_PATH]: protocol === 'sotw' ? STREAM_AGGREGATED_RESOURCES : DELTA_AGGREGATED_RESOURCES,
      [constants.HTTP2_HEADER_CONTENT_TYPE]: 'application/grpc',
      te: 'trailers',
    });
    // Never read: Node then stops granting the server flow-control window for this stream.
    this.stream.pause();
    this.stream.on('error', () => undefined);
    this.ended = new Promise((resolve) => {
      this.stream.on('close', () => resolve({ rstCode: this.stream.rstCode ?? 0, afterMs: Date.now() - this.startedAt }));
    });
  }

  /** Sends a DiscoveryRequest (SotW stream). */
  send(request: DiscoveryRequest): void {
    this.stream.write(grpcFrame(encodeDiscoveryRequest(request)));
  }

  /** Sends a DeltaDiscoveryRequest (Delta stream). */
  sendDelta(request: DeltaDiscoveryRequest): void {
    this.stream.write(grpcFrame(encodeDeltaDiscoveryRequest(request)));
  }

  close(): void {
    this.stream.close(constants.NGHTTP2_CANCEL);
    this.session.close();
  }
}

/** gRPC's length-prefixed message: a compression flag byte, a 4-byte big-endian length, the bytes. */
function grpcFrame(message: Buffer): Buffer {
  const frame = Buffer.alloc(5 + message.length);
  frame.writeUInt32BE(message.length, 1);
  message.copy(frame, 5);
  return frame;
}
