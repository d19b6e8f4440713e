import { describe, expect, it } from 'vitest';
import { LatestOnly } from './latest-only.js';

describe('LatestOnly', () => {
  it('runs one job at a time and skips to the newest input submitted meanwhile', async () => {
    const seen: number[] = [];
    let release: () => void = () => {};
    const runner = new LatestOnly<number>(async (n) => {
      seen.push(n);
      if (n === 1) await new Promise<void>((resolve) => (release = resolve));
    }, () => {});
    runner.submit(1);
    runner.submit(2);
    runner.submit(3);
    expect(seen).toEqual([1]);
    release();
    await runner.idle();
    expect(seen).toEqual([1, 3]);
  });

  it('reports a failing job and keeps going', async () => {
    const errors: unknown[] = [];
    const seen: number[] = [];
    const runner = new LatestOnly<number>(async (n) => {
      seen.push(n);
      if (n === 1) throw new Error('boom');
    }, (error) => errors.push(error));
    runner.submit(1);
    await runner.idle();
    runner.submit(2);
    await runner.idle();
    expect(seen).toEqual([1, 2]);
    expect(errors).toHaveLength(1);
  });
});
