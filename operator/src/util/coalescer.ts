// Coalesces bursts of changes into one reconcile: waits for a short quiet period (holdoff) but
// never longer than a bound (maxDelay) after the first change, so a steady stream of updates
// cannot starve reconciliation. One reconcile runs at a time; changes during it schedule another.
//
// A change that comes after a quiet spell (idleMs without a reconcile, by default the holdoff)
// is reconciled at once, together with whatever arrives in the same turn of the event loop: an
// isolated edit does not wait out a holdoff that only a burst needs. The changes that follow it
// while it runs, or within the holdoff after it, are the burst, and they wait for the holdoff as
// before. Bursts are still told apart by a holdoff of quiet, so this costs at most one reconcile
// more per burst, which incremental translation makes cheap. Contour schedules its rebuilds the
// same way, with its maximum holdoff as the quiet spell.
export interface CoalescerOptions {
  holdoffMs: number;
  maxDelayMs: number;
  /**
   * How long without a reconcile makes the next change reconciled at once (default: holdoffMs).
   * Infinity turns that off: every change waits for the holdoff.
   */
  idleMs?: number;
}

export class Coalescer {
  private holdoffTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private running = false;
  private pendingWhileRunning = false;
  private stopped = false;
  /** When the last reconcile ended; the start counts as one (see markReconciled), so the first events after it batch. */
  private lastReconciled = performance.now();

  constructor(
    private readonly options: CoalescerOptions,
    private readonly reconcile: () => Promise<void> | void,
  ) {}

  notify(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pendingWhileRunning = true;
      return;
    }
    // Already due this turn: the change is part of it.
    if (this.immediate) return;
    const idleMs = this.options.idleMs ?? this.options.holdoffMs;
    if (this.holdoffTimer === undefined && performance.now() - this.lastReconciled >= idleMs) {
      this.immediate = setImmediate(() => void this.fire());
      return;
    }
    clearTimeout(this.holdoffTimer);
    this.holdoffTimer = setTimeout(() => void this.fire(), this.options.holdoffMs);
    this.maxTimer ??= setTimeout(() => void this.fire(), this.options.maxDelayMs);
  }

  /** A reconcile made outside the coalescer (the initial one) counts for the quiet spell too. */
  markReconciled(): void {
    this.lastReconciled = performance.now();
  }

  stop(): void {
    this.stopped = true;
    this.clearSchedule();
  }

  private clearSchedule(): void {
    clearTimeout(this.holdoffTimer);
    clearTimeout(this.maxTimer);
    clearImmediate(this.immediate);
    this.holdoffTimer = undefined;
    this.maxTimer = undefined;
    this.immediate = undefined;
  }

  private async fire(): Promise<void> {
    this.clearSchedule();
    if (this.stopped) return;
    this.running = true;
    try {
      await this.reconcile();
    } finally {
      this.running = false;
      this.lastReconciled = performance.now();
      if (this.pendingWhileRunning) {
        this.pendingWhileRunning = false;
        this.notify();
      }
    }
  }
}
