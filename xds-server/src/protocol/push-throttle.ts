// Limits how many responses are being written at once across all streams. grpc-js copies every
// outgoing message into a framed buffer per stream, so N simultaneous pushes of a large
// RouteConfiguration hold N copies in memory; a limit of K holds about K. A slot is released when
// the write completes, or after `maxHoldMs` so that slow clients cannot starve the others: a slow
// stream keeps at most one response in flight anyway.
// Bytes are limited too, and their count is not given back on a timeout: a slot taken back from
// a slow client lets another stream start, but the slow client's response still sits in memory
// until it is written or the stream closes. When a whole fleet connects at once to a large
// configuration (1,000 clients × 6 MB at 10,000 Ingresses), that is what keeps memory bounded.
import { availableParallelism } from 'node:os';

export type ReleaseSlot = () => void;

export interface PushThrottleOptions {
  /** Concurrent writes; Istio's PILOT_PUSH_THROTTLE default (15 + 5 per core, at most 100). */
  limit?: number;
  maxHoldMs?: number;
  /** Bytes of responses handed to gRPC and not yet written, across all streams, before pushes wait. */
  maxBytes?: number;
}

export const DEFAULT_MAX_PUSH_BYTES = 256 * 1024 * 1024;

export function defaultPushLimit(): number {
  return Math.min(100, 15 + 5 * availableParallelism());
}

export class PushThrottle {
  readonly limit: number;
  readonly maxBytes: number;
  private readonly maxHoldMs: number;
  private active = 0;
  private bytes = 0;
  private readonly waiting: Array<(release: ReleaseSlot) => void> = [];

  constructor(options: PushThrottleOptions = {}) {
    this.limit = Math.max(1, options.limit ?? defaultPushLimit());
    this.maxHoldMs = options.maxHoldMs ?? 2_000;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_PUSH_BYTES;
  }

  /** Bytes handed to gRPC and not yet written. */
  get bytesInFlight(): number {
    return this.bytes;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves with a release function once a slot is free; FIFO among waiters. */
  acquire(): Promise<ReleaseSlot> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.admit();
    });
  }

  /** Counts a response being written; the returned function (idempotent) gives the bytes back. */
  holdBytes(size: number): () => void {
    this.bytes += size;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.bytes -= size;
      this.admit();
    };
  }

  private admit(): void {
    while (this.waiting.length > 0 && this.active < this.limit && this.bytes < this.maxBytes) {
      this.active += 1;
      this.waiting.shift()?.(this.slot());
    }
  }

  private slot(): ReleaseSlot {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.active -= 1;
      this.admit();
    };
    const timer = setTimeout(release, this.maxHoldMs);
    timer.unref();
    return release;
  }
}
