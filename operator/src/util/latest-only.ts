// Runs an async job one at a time, always on the newest input: inputs submitted while a run is in
// progress replace each other, and one more run follows with the last of them. Lets slow writes
// (status, Events) trail behind fast work (xDS pushes) without ever blocking it or piling up.
export class LatestOnly<T> {
  private next: { input: T } | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly job: (input: T) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  submit(input: T): void {
    this.next = { input };
    this.running ??= this.drain();
  }

  /** Resolves when no run is in progress or pending. */
  async idle(): Promise<void> {
    await this.running;
  }

  private async drain(): Promise<void> {
    while (this.next) {
      const { input } = this.next;
      this.next = undefined;
      try {
        await this.job(input);
      } catch (error) {
        this.onError(error);
      }
    }
    this.running = undefined;
  }
}
