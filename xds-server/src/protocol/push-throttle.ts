// Limits how many responses are being written at once across all streams. grpc-js copies every
// outgoing message into a framed buffer per stream, so N simultaneous pushes of a large
// RouteConfiguration hold N copies in memory; a limit of K holds about K. A slot is released when
// the write completes, or after `maxHoldMs` so that slow clients cannot starve the others: a slow
// stream keeps at most one response in flight anyway.
import { availableParallelism } from 'node:os';

export type ReleaseSlot = () => void;

export interface PushThrottleOptions {
  /** Concurrent writes; Istio's PILOT_PUSH_THROTTLE default (15 + 5 per core, at most 100). */
  limit?: number;
  maxHoldMs?: number;
}

export function defaultPushLimit(): number {
  return Math.min(100, 15 + 5 * availableParallelism());
}

export class PushThrottle {
  readonly limit: number;
  private readonly maxHoldMs: number;
  private active = 0;
  private readonly waiting: Array<(release: ReleaseSlot) => void> = [];

  constructor(options: PushThrottleOptions = {}) {
    this.limit = Math.max(1, options.limit ?? defaultPushLimit());
    this.maxHoldMs = options.maxHoldMs ?? 2_000;
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
      if (this.active < this.limit) {
        this.active += 1;
        resolve(this.slot());
      } else {
        this.waiting.push(resolve);
      }
    });
  }

  private slot(): ReleaseSlot {
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      const next = this.waiting.shift();
      if (next) next(this.slot());
      else this.active -= 1;
    };
    const timer = setTimeout(release, this.maxHoldMs);
    timer.unref();
    return release;
  }
}
