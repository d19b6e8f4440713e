import { describe, expect, it } from 'vitest';
import { Rounds } from './rounds.js';

describe('Rounds', () => {
  it('runs one round at a time: asking while one runs joins it', async () => {
    let started = 0;
    let release = (): void => undefined;
    const rounds = new Rounds(async () => {
      started += 1;
      await new Promise<void>((resolve) => (release = resolve));
    });
    const first = rounds.now();
    const second = rounds.now();
    expect(second).toBe(first);
    release();
    await first;
    expect(started).toBe(1);
    await rounds.stop();
  });

  it('stops: the round in flight sees its signal aborted and stop waits for it', async () => {
    let seen: AbortSignal | undefined;
    const rounds = new Rounds((signal) => {
      seen = signal;
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    });
    const running = rounds.now();
    await rounds.stop();
    await running;
    expect(seen?.aborted).toBe(true);
    expect(rounds.isStopped).toBe(true);
  });

  it('starts a round when the timer finds one due', async () => {
    let count = 0;
    const rounds = new Rounds(async () => void (count += 1));
    rounds.start(5, () => count < 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await rounds.stop();
    expect(count).toBe(2);
  });
});
