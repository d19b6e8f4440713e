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

  it('reconciles a change after a quiet spell at once, with whatever arrives in the same turn', async () => {
    const reconcile = vi.fn();
    const coalescer = new Coalescer({ holdoffMs: 100, maxDelayMs: 500 }, reconcile);
    await vi.advanceTimersByTimeAsync(100);
    coalescer.notify();
    coalescer.notify();
    expect(reconcile).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(0);
    expect(reconcile).toHaveBeenCalledTimes(1);
    // Nothing else was scheduled by the second change: it went with the first.
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reconcile).toHaveBeenCalledTimes(1);
  });

  it('holds off the rest of a burst that began after a quiet spell', async () => {
    const reconcile = vi.fn();
    const coalescer = new Coalescer({ holdoffMs: 100, maxDelayMs: 500 }, reconcile);
    await vi.advanceTimersByTimeAsync(600);
    coalescer.notify();
    await vi.advanceTimersByTimeAsync(0);
    expect(reconcile).toHaveBeenCalledTimes(1);
    // Within the holdoff after that reconcile: the burst goes on.
    for (let i = 0; i < 4; i++) {
      coalescer.notify();
      await vi.advanceTimersByTimeAsync(30);
    }
    expect(reconcile).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(reconcile).toHaveBeenCalledTimes(2);
  });

  it('counts its own start as a reconcile, so the events right after it batch', async () => {
    const reconcile = vi.fn();
    const coalescer = new Coalescer({ holdoffMs: 100, maxDelayMs: 500 }, reconcile);
    await vi.advanceTimersByTimeAsync(99);
    coalescer.notify();
    await vi.advanceTimersByTimeAsync(99);
    expect(reconcile).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(reconcile).toHaveBeenCalledTimes(1);
  });

  it('always holds off when idleMs is Infinity', async () => {
    const reconcile = vi.fn();
    const coalescer = new Coalescer({ holdoffMs: 100, maxDelayMs: 500, idleMs: Infinity }, reconcile);
    await vi.advanceTimersByTimeAsync(10_000);
    coalescer.notify();
    await vi.advanceTimersByTimeAsync(99);
    expect(reconcile).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(reconcile).toHaveBeenCalledTimes(1);
  });

  it('does not reconcile a change after it is stopped', async () => {
    const reconcile = vi.fn();
    const coalescer = new Coalescer({ holdoffMs: 100, maxDelayMs: 500 }, reconcile);
    await vi.advanceTimersByTimeAsync(100);
    coalescer.notify();
    coalescer.stop();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(reconcile).not.toHaveBeenCalled();
  });

  it('counts a reconcile made outside it (the initial one) for the quiet spell', async () => {
    const reconcile = vi.fn();
    const coalescer = new Coalescer({ holdoffMs: 100, maxDelayMs: 500 }, reconcile);
    await vi.advanceTimersByTimeAsync(1_000);
    coalescer.markReconciled();
    coalescer.notify();
    await vi.advanceTimersByTimeAsync(99);
    expect(reconcile).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(reconcile).toHaveBeenCalledTimes(1);
  });
});
