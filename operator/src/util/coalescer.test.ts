import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from './coalescer.js';

describe('Coalescer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('turns a burst into one reconcile after the holdoff', async () => {
    const reconcile = vi.fn();
    const coalescer = new Coalescer({ holdoffMs: 100, maxDelayMs: 1000 }, reconcile);
    for (let i = 0; i < 5; i++) {
      coalescer.notify();
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(reconcile).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(100);
    expect(reconcile).toHaveBeenCalledTimes(1);
  });

  it('never waits longer than maxDelay under a steady stream of changes', async () => {
    const reconcile = vi.fn();
    const coalescer = new Coalescer({ holdoffMs: 100, maxDelayMs: 300 }, reconcile);
    for (let i = 0; i < 10; i++) {
      coalescer.notify();
      await vi.advanceTimersByTimeAsync(50);
    }
    expect(reconcile.mock.calls.length).toBeGreaterThanOrEqual(1);
    coalescer.stop();
  });

  it('runs one reconcile at a time and catches up on changes made during it', async () => {
    let release: () => void = () => {};
    const reconcile = vi.fn(() => new Promise<void>((resolve) => (release = resolve)));
    const coalescer = new Coalescer({ holdoffMs: 10, maxDelayMs: 100 }, reconcile);
    coalescer.notify();
    await vi.advanceTimersByTimeAsync(10);
    expect(reconcile).toHaveBeenCalledTimes(1);
    coalescer.notify();
    await vi.advanceTimersByTimeAsync(50);
    expect(reconcile).toHaveBeenCalledTimes(1);
    release();
    await vi.advanceTimersByTimeAsync(10);
    expect(reconcile).toHaveBeenCalledTimes(2);
  });
});
