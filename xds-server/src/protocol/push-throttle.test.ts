import { describe, expect, it } from 'vitest';
import { PushThrottle, defaultPushLimit } from './push-throttle.js';

describe('PushThrottle', () => {
  it('admits at most `limit` holders, first come first served', async () => {
    const throttle = new PushThrottle({ limit: 2 });
    const order: number[] = [];
    const releases = await Promise.all([throttle.acquire(), throttle.acquire()]);
    const third = throttle.acquire().then((release) => {
      order.push(3);
      return release;
    });
    const fourth = throttle.acquire().then((release) => {
      order.push(4);
      return release;
    });
    expect(throttle.inFlight).toBe(2);
    expect(throttle.queued).toBe(2);
    releases[0]?.();
    releases[0]?.(); // releasing twice frees one slot only
    (await third)();
    (await fourth)();
    releases[1]?.();
    expect(order).toEqual([3, 4]);
    expect(throttle.inFlight).toBe(0);
  });

  it('takes a slot back from a holder that never finishes', async () => {
    const throttle = new PushThrottle({ limit: 1, maxHoldMs: 20 });
    await throttle.acquire(); // never released by its holder
    const started = Date.now();
    (await throttle.acquire())();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('holds pushes back while the bytes being written reach maxBytes, and keeps counting them after a slot times out', async () => {
    const throttle = new PushThrottle({ limit: 10, maxBytes: 100, maxHoldMs: 20 });
    await throttle.acquire(); // its holder never finishes: the slot comes back after 20 ms, the bytes do not
    const giveBack = throttle.holdBytes(150);
    let admitted = false;
    const next = throttle.acquire().then((release) => {
      admitted = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(admitted).toBe(false);
    expect(throttle.inFlight).toBe(0);
    expect(throttle.bytesInFlight).toBe(150);
    giveBack();
    giveBack(); // idempotent
    (await next)();
    expect(admitted).toBe(true);
    expect(throttle.bytesInFlight).toBe(0);
  });

  it('sizes the default limit like Istio does', () => {
    expect(defaultPushLimit()).toBeGreaterThanOrEqual(20);
    expect(defaultPushLimit()).toBeLessThanOrEqual(100);
  });
});
