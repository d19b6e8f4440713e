// Coalesces bursts of changes into one reconcile: waits for a short quiet period (holdoff) but
// never longer than a bound (maxDelay) after the first change, so a steady stream of updates
// cannot starve reconciliation. One reconcile runs at a time; changes during it schedule another.
export interface CoalescerOptions {
  holdoffMs: number;
  maxDelayMs: number;
}

export class Coalescer {
  private holdoffTimer: NodeJS.Timeout | undefined;
  private maxTimer: NodeJS.Timeout | undefined;
  private running = false;
  private pendingWhileRunning = false;
  private stopped = false;

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
    clearTimeout(this.holdoffTimer);
    this.holdoffTimer = setTimeout(() => void this.fire(), this.options.holdoffMs);
    this.maxTimer ??= setTimeout(() => void this.fire(), this.options.maxDelayMs);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.holdoffTimer);
    clearTimeout(this.maxTimer);
  }

  private async fire(): Promise<void> {
    clearTimeout(this.holdoffTimer);
    clearTimeout(this.maxTimer);
    this.holdoffTimer = undefined;
    this.maxTimer = undefined;
    if (this.stopped) return;
    this.running = true;
    try {
      await this.reconcile();
    } finally {
      this.running = false;
      if (this.pendingWhileRunning) {
        this.pendingWhileRunning = false;
        this.notify();
      }
    }
  }
}
