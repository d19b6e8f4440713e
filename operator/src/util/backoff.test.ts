import { describe, expect, it } from 'vitest';
import { Backoff, RecoveryBackoff, sleep } from './backoff.js';

describe('Backoff', () => {
  it('doubles up to the ceiling, with jitter in the upper half, and resets', () => {
    const low = new Backoff(100, 1000, () => 0);
    expect([low.next(), low.next(), low.next(), low.next(), low.next()]).toEqual([50, 100, 200, 400, 500]);
    const high = new Backoff(100, 1000, () => 1);
    expect([high.next(), high.next(), high.next(), high.next(), high.next()]).toEqual([100, 200, 400, 800, 1000]);
    high.reset();
    expect(high.next()).toBe(100);
  });
});

describe('sleep', () => {
  it('removes its abort listener when the time is up, so long-lived loops do not leak listeners', async () => {
    const controller = new AbortController();
    const signal = controller.signal;
    const added: unknown[] = [];
    const removed: unknown[] = [];
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = (...args: Parameters<AbortSignal['addEventListener']>): void => {
      added.push(args[1]);
      add(...args);
    };
    signal.removeEventListener = (...args: Parameters<AbortSignal['removeEventListener']>): void => {
      removed.push(args[1]);
      remove(...args);
    };
    for (let i = 0; i < 3; i++) await sleep(1, signal);
    expect(removed).toEqual(added);
    expect(added).toHaveLength(3);
  });

  it('returns at once when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    await sleep(10_000, controller.signal);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});

describe('RecoveryBackoff', () => {
  const clock = (): { now: () => number; advance: (ms: number) => void } => {
    let t = 0;
    return { now: () => t, advance: (ms) => void (t += ms) };
  };

  it('retries an unreachable server at most promptMaxMs apart (jittered) for its window, then backs off exponentially', () => {
    const time = clock();
    const backoff = new RecoveryBackoff({ initialMs: 250, maxMs: 30_000, promptMaxMs: 1_000, unreachableWindowMs: 60_000, random: () => 1, now: time.now });
    const waits: number[] = [];
    while (time.now() < 60_000) {
      const wait = backoff.failed('unreachable');
      waits.push(wait);
      time.advance(wait);
    }
    expect(waits.slice(0, 4)).toEqual([250, 500, 1_000, 1_000]);
    expect(Math.max(...waits)).toBe(1_000);
    expect(backoff.recovering).toBe(false);
    expect(backoff.failed('unreachable')).toBe(30_000);
  });

  it('jitters prompt retries in the upper half of promptMaxMs', () => {
    const backoff = new RecoveryBackoff({ promptMaxMs: 1_000, random: () => 0, now: () => 0 });
    const waits = Array.from({ length: 8 }, () => backoff.failed('unreachable'));
    expect(waits.slice(-3)).toEqual([500, 500, 500]);
  });

  it('retries warm-up answers (403, 429, 503) promptly for warmingWindowMs only: a lasting refusal backs off to the max', () => {
    const time = clock();
    const backoff = new RecoveryBackoff({ maxMs: 30_000, promptMaxMs: 1_000, warmingWindowMs: 10_000, random: () => 1, now: time.now });
    const prompt: number[] = [];
    while (time.now() < 10_000) {
      const wait = backoff.failed('warming');
      prompt.push(wait);
      time.advance(wait);
    }
    expect(Math.max(...prompt)).toBeLessThanOrEqual(1_000);
    expect(backoff.failed('warming')).toBe(30_000);
  });

  it('starts over once the server answers: the next failure waits the shortest time', () => {
    const backoff = new RecoveryBackoff({ initialMs: 250, random: () => 1, now: () => 0 });
    for (let i = 0; i < 10; i++) backoff.failed('other');
    expect(backoff.failed('other')).toBe(30_000);
    backoff.succeeded();
    expect(backoff.failed('other')).toBe(250);
    expect(backoff.recovering).toBe(false);
  });

  it('backs off exponentially for other failures, and counts unreachable-then-warming as recovering', () => {
    const time = clock();
    const backoff = new RecoveryBackoff({ initialMs: 250, random: () => 1, now: time.now });
    expect([backoff.failed('other'), backoff.failed('other'), backoff.failed('other')]).toEqual([250, 500, 1_000]);
    expect(backoff.recovering).toBe(false);
    backoff.failed('unreachable');
    expect(backoff.recovering).toBe(true);
    backoff.failed('warming');
    time.advance(31_000);
    expect(backoff.recovering).toBe(false);
  });
});
