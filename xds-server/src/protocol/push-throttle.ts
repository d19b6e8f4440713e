// Limits how many responses are being written at once across all streams. grpc-js copies every
// outgoing message into a framed buffer per stream, so N simultaneous pushes of a large
// RouteConfiguration hold N copies in memory; a limit of K holds about K. A slot is released when
// the write completes, or after `maxHoldMs` so that slow clients cannot starve the others: a slow
// stream keeps at most one response in flight anyway.
//
// A small response to a stream that reads gives its slot back once handed to gRPC (keepsSlot):
// it fits in HTTP/2's default window and goes out without waiting for the client, and a write
// completes an event-loop turn later at the earliest. Held slots made a change for 1,000 Delta
// clients (1 KB each) go out in 40 rounds of 25, every round behind the ACKs read in its turn
// (123 ms from edit to the last ACK; 92 ms in one burst). Large responses keep their slots:
// letting 40 route tables of 0.8 MB go at a time (what 32 MiB allows) tripled the server's CPU
// per SotW change, as grpc-js copies each into a fresh buffer of its own (docs/benchmarks.md).
// Streams not known to read keep theirs too: slots are what stop 550 streams that never read
// from filling the whole byte budget with 60 KB responses, locking out those that do. The bytes
// of a small response count until it is written, like any other's.
//
// Bytes are limited too. When a whole fleet connects at once to a large configuration (1,000
// clients × 6 MB at 10,000 Ingresses), that is what keeps memory bounded: pushes wait while
// `maxBytes` of responses are being written. A response still unwritten after `maxHoldMs` is
// *stalled*: its bytes stay in memory, so they are still counted, but against a second allowance,
// `maxStalledBytes`, not against `maxBytes`. Without that split, 200 clients that never read
// (their transport still answers keepalive pings) each held one unsent route table, together more
// than `maxBytes`, and from then on no healthy client got another update. Now a stuck response
// delays others by at most `maxHoldMs`; the server's write deadline closes its stream, which gives
// its bytes back.
//
// Slots go first to streams whose previous response was written within maxHoldMs (`prompt`), and
// a quarter of them only to such streams: a stream that never reads never earns that. 200 new
// streams that never read each held a slot for maxHoldMs, and with 25 slots healthy clients queued
// behind them for 16 s; now the clients that read keep converging, and streams with no such record
// (new ones, slow ones, a whole fleet connecting at once) share the other three quarters.
// Prompt streams may also use a reserve beyond the stalled allowance, so responses stuck at
// unproven streams cannot lock out clients that read. The reserve is a quarter of maxBytes, or
// the largest response held so far if that is more: unproven streams stop being admitted once
// the allowances are full, so their last response crosses them by at most that much, and a
// prompt stream still finds room (with a quarter of 32 MiB and 12 MiB route tables, six stuck
// streams locked everyone out until their write deadlines). Every write is admitted only under
// the byte caps, so memory stays under maxBytes + maxStalledBytes + that reserve, plus the one
// response that crosses it. Priority is not absolute: after PROMPT_STREAK prompt
// admissions in a row, a waiting unproven stream goes next, so a fleet busy with publishes never
// starves new and reconnecting streams.
import { availableParallelism } from 'node:os';

export type ReleaseSlot = () => void;

export interface PushThrottleOptions {
  /** Concurrent writes; Istio's PILOT_PUSH_THROTTLE default (15 + 5 per core, at most 100). */
  limit?: number;
  /** How long a response holds its slot, and counts against maxBytes, before it counts as stalled. */
  maxHoldMs?: number;
  /** Bytes of responses handed to gRPC and not yet written, across all streams, before pushes wait. */
  maxBytes?: number;
  /** Bytes of stalled responses (unwritten after maxHoldMs) on top of maxBytes before pushes wait. */
  maxStalledBytes?: number;
}

/**
 * The budget bounds what is in flight, not how fast it goes: a write completes once the client's
 * transport took it, so a few large responses at a time keep a fleet busy. 256 MiB synced 1,000
 * clients of a 10,000-Ingress fleet no faster than 32 MiB and peaked 0.8 GiB higher.
 */
export const DEFAULT_MAX_PUSH_BYTES = 32 * 1024 * 1024;
/** Prompt admissions in a row before a waiting unproven stream is let in. */
const PROMPT_STREAK = 3;
export const DEFAULT_PUSH_HOLD_MS = 2_000;

export function defaultPushLimit(): number {
  return Math.min(100, 15 + 5 * availableParallelism());
}

/**
 * A response whose gRPC message (a 5-byte prefix, then the response) fits in HTTP/2's default
 * flow-control window, 65,535 bytes: it is written without waiting for the client.
 */
export const SMALL_RESPONSE_BYTES = 65_535 - 5;

export class PushThrottle {
  readonly limit: number;
  /** Slots streams without a prompt record may hold at once; the rest are kept for prompt ones. */
  readonly unprovenLimit: number;
  readonly maxBytes: number;
  readonly maxStalledBytes: number;
  private readonly maxHoldMs: number;
  private active = 0;
  private activeUnproven = 0;
  /** Bytes of responses being written for less than maxHoldMs. */
  private freshBytes = 0;
  private stalled = 0;
  /** The largest response held so far: the prompt reserve is at least that. */
  private largest = 0;
  private promptStreak = 0;
  /** Waiters whose stream wrote its previous response promptly, then everyone else; FIFO within each. */
  private readonly waitingPrompt: Array<(release: ReleaseSlot) => void> = [];
  private readonly waiting: Array<(release: ReleaseSlot) => void> = [];
  /** admit() is running: a grant that releases or waits again must not start a second admission. */
  private admitting = false;

  constructor(options: PushThrottleOptions = {}) {
    this.limit = Math.max(1, options.limit ?? defaultPushLimit());
    // With fewer than 4 slots there is nothing to spare: order (prompt first) is all that helps.
    this.unprovenLimit = this.limit >= 4 ? this.limit - Math.ceil(this.limit / 4) : this.limit;
    this.maxHoldMs = options.maxHoldMs ?? DEFAULT_PUSH_HOLD_MS;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_PUSH_BYTES;
    this.maxStalledBytes = options.maxStalledBytes ?? this.maxBytes;
  }

  /** Bytes handed to gRPC and not yet written (stalled ones included). */
  get bytesInFlight(): number {
    return this.freshBytes + this.stalled;
  }

  /** Bytes of responses unwritten for longer than maxHoldMs. */
  get stalledBytes(): number {
    return this.stalled;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waitingPrompt.length + this.waiting.length;
  }

  /** How long a response may take and still count as written promptly. */
  get holdMs(): number {
    return this.maxHoldMs;
  }

  /**
   * Calls `grant` with a release function once a slot is free: at once if one is, else when one
   * comes back. `prompt` waiters (their stream wrote its previous response within holdMs) go
   * first; FIFO otherwise. The grant runs synchronously, before anyone else is admitted, so the
   * bytes it holds (holdBytes) count against the next admission: a response's size is known only
   * once it is built, and it is built only when granted. (Granted through promises, every waiter
   * let in by one release was admitted before any of them counted its bytes: 1,000 SotW clients
   * took the whole fleet's route tables, 800 MB, past a 32 MiB budget at once.)
   */
  acquire(prompt: boolean, grant: (release: ReleaseSlot) => void): void {
    (prompt ? this.waitingPrompt : this.waiting).push(grant);
    this.admit();
  }

  /**
   * Whether a response of `size` bytes keeps its slot until written. A small one to a `prompt`
   * stream (its previous response was written within holdMs) gives it back once handed over.
   */
  keepsSlot(size: number, prompt: boolean): boolean {
    return !prompt || size > SMALL_RESPONSE_BYTES;
  }

  /**
   * Counts a response being written; the returned function (idempotent) gives the bytes back.
   * After maxHoldMs they move from maxBytes to the stalled allowance (see the top of this file).
   */
  holdBytes(size: number): () => void {
    this.freshBytes += size;
    this.largest = Math.max(this.largest, size);
    let state: 'fresh' | 'stalled' | 'given' = 'fresh';
    const stall = setTimeout(() => {
      if (state !== 'fresh') return;
      state = 'stalled';
      this.freshBytes -= size;
      this.stalled += size;
      this.admit();
    }, this.maxHoldMs);
    stall.unref();
    return () => {
      if (state === 'given') return;
      clearTimeout(stall);
      if (state === 'fresh') this.freshBytes -= size;
      else this.stalled -= size;
      state = 'given';
      this.admit();
    };
  }

  private admit(): void {
    // A grant that releases its slot or waits again calls back in here: the loop in admitWaiting
    // looks again after every grant, so the call only has to return (grants never nest).
    if (this.admitting) return;
    this.admitting = true;
    try {
      this.admitWaiting();
    } finally {
      this.admitting = false;
    }
  }

  private admitWaiting(): void {
    while (this.active < this.limit && this.freshBytes < this.maxBytes) {
      const unprovenMayGo = this.waiting.length > 0 && this.activeUnproven < this.unprovenLimit && this.bytesInFlight < this.maxBytes + this.maxStalledBytes;
      const promptMayGo = this.waitingPrompt.length > 0 && this.bytesInFlight < this.maxBytes + this.maxStalledBytes + this.promptReserve;
      if (promptMayGo && !(unprovenMayGo && this.promptStreak >= PROMPT_STREAK)) {
        this.promptStreak += 1;
        this.admitOne(this.waitingPrompt.shift(), false);
      } else if (unprovenMayGo) {
        this.promptStreak = 0;
        this.admitOne(this.waiting.shift(), true);
      } else return;
    }
  }

  /** A grant that throws gives its slot back; the error is thrown again outside the admission loop, as a bug. */
  private admitOne(waiter: ((release: ReleaseSlot) => void) | undefined, unproven: boolean): void {
    if (!waiter) return;
    const release = this.slot(unproven);
    try {
      waiter(release);
    } catch (error) {
      release();
      queueMicrotask(() => {
        throw error;
      });
    }
  }

  /** Bytes only prompt streams may use beyond the stalled allowance. */
  private get promptReserve(): number {
    return Math.max(Math.floor(this.maxBytes / 4), this.largest);
  }

  private slot(unproven: boolean): ReleaseSlot {
    this.active += 1;
    if (unproven) this.activeUnproven += 1;
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      clearTimeout(timer);
      this.active -= 1;
      if (unproven) this.activeUnproven -= 1;
      this.admit();
    };
    const timer = setTimeout(release, this.maxHoldMs);
    timer.unref();
    return release;
  }
}
