// A background job done in rounds against the API (the xDS and admission identities): one round
// at a time (asking while one runs joins it), each with a deadline and the job's stop signal, a
// timer that asks `due` whether to start one, and a stop that waits for the round in flight.
export class Rounds {
  private readonly stopped = new AbortController();
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private last = Date.now();

  constructor(
    private readonly round: (signal: AbortSignal) => Promise<void>,
    private readonly roundTimeoutMs = 30_000,
  ) {}

  /** Aborted once stop() was called: a round's failure then is no news. */
  get isStopped(): boolean {
    return this.stopped.signal.aborted;
  }

  /** Milliseconds since the last round started. */
  get sinceLast(): number {
    return Date.now() - this.last;
  }

  start(checkEveryMs: number, due: () => boolean): void {
    this.timer = setInterval(() => {
      if (due()) void this.now();
    }, checkEveryMs);
    this.timer.unref();
  }

  /** One round now (or the one already running). */
  now(): Promise<void> {
    this.running ??= (async () => {
      this.last = Date.now();
      await this.round(AbortSignal.any([this.stopped.signal, AbortSignal.timeout(this.roundTimeoutMs)]));
    })().finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopped.abort();
    await this.running?.catch(() => undefined);
  }
}
