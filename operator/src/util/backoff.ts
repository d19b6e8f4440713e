// Exponential backoff with full jitter: restarts after errors spread out instead of hammering an
// API server that is just coming back (client-node issue #1933 shows what happens otherwise).
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 250,
    private readonly maxMs = 30_000,
    private readonly random: () => number = Math.random,
  ) {}

  next(): number {
    const ceiling = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    this.attempt++;
    return Math.round(ceiling / 2 + (this.random() * ceiling) / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** Resolves after `ms`, or at once when `signal` aborts; never leaves a listener behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Why a request to the API server failed, as far as retrying goes:
 * - `unreachable`: no answer at all (refused, reset, timed out): the server is down or restarting;
 * - `warming`: an answer a starting (or briefly overloaded) server gives before it is fully up —
 *   403 until its RBAC caches have synced, 429 until priority and fairness is configured, 5xx
 *   while its storage or aggregated APIs come up;
 * - `other`: anything else (a refused request that stays refused, a malformed answer).
 */
export type FailureKind = 'unreachable' | 'warming' | 'other';

export interface RecoveryBackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** The longest wait between prompt retries (jittered in its upper half). */
  promptMaxMs?: number;
  /** How long an unreachable server is retried promptly, from the first failure in a row. */
  unreachableWindowMs?: number;
  /** How long warm-up answers are retried promptly, from the first of them in a row. */
  warmingWindowMs?: number;
  random?: () => number;
  now?: () => number;
}

/**
 * The watch layer's retry timing. Exponential backoff (Backoff) for failures that say something is
 * wrong, but prompt, jittered retries (at most `promptMaxMs` apart) while the server is merely
 * away or warming up, so that an API server that comes back is noticed within about a second
 * instead of after a backoff grown during its absence. Prompt retries are bounded in time: an
 * outage longer than `unreachableWindowMs`, or warm-up answers that go on for longer than
 * `warmingWindowMs` (a 403 that is a real missing permission, a 429 of a server that stays
 * overloaded), fall back to the exponential backoff up to `maxMs`. Everything starts over on
 * `succeeded()`: the first successful list or watch event.
 */
export class RecoveryBackoff {
  private readonly backoff: Backoff;
  private readonly promptMaxMs: number;
  private readonly unreachableWindowMs: number;
  private readonly warmingWindowMs: number;
  private readonly random: () => number;
  private readonly now: () => number;
  private unreachableSince: number | undefined;
  private warmingSince: number | undefined;

  constructor(options: RecoveryBackoffOptions = {}) {
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.backoff = new Backoff(options.initialMs ?? 250, options.maxMs ?? 30_000, this.random);
    this.promptMaxMs = options.promptMaxMs ?? 1_000;
    this.unreachableWindowMs = options.unreachableWindowMs ?? 120_000;
    this.warmingWindowMs = options.warmingWindowMs ?? 30_000;
  }

  /** True while the last failures were of a server away or warming up, within their windows. */
  get recovering(): boolean {
    const now = this.now();
    return (
      (this.unreachableSince !== undefined && now - this.unreachableSince < this.unreachableWindowMs) ||
      (this.warmingSince !== undefined && now - this.warmingSince < this.warmingWindowMs)
    );
  }

  /** How long to wait before the next attempt after a failure of this kind. */
  failed(kind: FailureKind): number {
    const now = this.now();
    const exponential = this.backoff.next();
    if (kind === 'unreachable') {
      this.unreachableSince ??= now;
      // A server that went away and comes back warms up again.
      this.warmingSince = undefined;
      if (now - this.unreachableSince < this.unreachableWindowMs) return this.prompt(exponential);
    } else if (kind === 'warming') {
      this.warmingSince ??= now;
      // It answers, so it is reachable: going away again starts a new outage.
      this.unreachableSince = undefined;
      if (now - this.warmingSince < this.warmingWindowMs) return this.prompt(exponential);
    }
    return exponential;
  }

  /** The server answered: the next failure starts from the shortest wait again. */
  succeeded(): void {
    this.backoff.reset();
    this.unreachableSince = undefined;
    this.warmingSince = undefined;
  }

  private prompt(exponential: number): number {
    if (exponential <= this.promptMaxMs) return exponential;
    return Math.round(this.promptMaxMs / 2 + (this.random() * this.promptMaxMs) / 2);
  }
}
