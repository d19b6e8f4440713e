import { describe, expect, it, vi } from 'vitest';
import { PushThrottle, defaultPushLimit } from './push-throttle.js';
import type { ReleaseSlot } from './push-throttle.js';

/** The throttle's grant as a promise, for tests that await it. */
function acquire(throttle: PushThrottle, prompt = false): Promise<ReleaseSlot> {
  return new Promise((resolve) => throttle.acquire(prompt, resolve));
}

describe('PushThrottle', () => {
  it('admits at most `limit` holders, first come first served', async () => {
    const throttle = new PushThrottle({ limit: 2 });
    const order: number[] = [];
    const releases = await Promise.all([acquire(throttle), acquire(throttle)]);
    const third = acquire(throttle).then((release) => {
      order.push(3);
      return release;
    });
    const fourth = acquire(throttle).then((release) => {
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
    await acquire(throttle); // never released by its holder
    const started = Date.now();
    (await acquire(throttle))();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });

  it('holds pushes back while the bytes being written reach maxBytes, and gives them back once written', async () => {
    const throttle = new PushThrottle({ limit: 10, maxBytes: 100, maxHoldMs: 1_000 });
    const release = await acquire(throttle);
    const giveBack = throttle.holdBytes(150);
    let admitted = false;
    const next = acquire(throttle).then((r) => {
      admitted = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(admitted).toBe(false);
    expect(throttle.bytesInFlight).toBe(150);
    release();
    giveBack();
    giveBack(); // idempotent
    (await next)();
    expect(admitted).toBe(true);
    expect(throttle.bytesInFlight).toBe(0);
  });

  it('stops counting a stalled response against maxBytes after maxHoldMs, but keeps it in the stalled allowance', async () => {
    const throttle = new PushThrottle({ limit: 10, maxBytes: 100, maxStalledBytes: 100, maxHoldMs: 20 });
    await acquire(throttle); // its holder never finishes: the slot comes back after 20 ms
    const stuck = throttle.holdBytes(150); // and its bytes move to the stalled allowance
    const started = Date.now();
    (await acquire(throttle))();
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
    expect(throttle.bytesInFlight).toBe(150);
    expect(throttle.stalledBytes).toBe(150);

    // More stalled bytes than both allowances together: pushes wait until some are given back.
    const stuckToo = throttle.holdBytes(60);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(throttle.stalledBytes).toBe(210);
    let admitted = false;
    const next = acquire(throttle).then((r) => {
      admitted = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(admitted).toBe(false);
    // A stream that wrote its previous response promptly has a reserve beyond that (maxBytes / 4,
    // or the largest response held so far, 150, if more)...
    (await acquire(throttle, true))();
    expect(admitted).toBe(false);
    // ...and no more: memory stays bounded however many streams read promptly.
    const stuckMore = throttle.holdBytes(150);
    await new Promise((resolve) => setTimeout(resolve, 40));
    let promptAdmitted = false;
    const promptNext = acquire(throttle, true).then((r) => {
      promptAdmitted = true;
      return r;
    });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(promptAdmitted).toBe(false);
    stuck();
    (await promptNext)();
    stuckMore();
    (await next)();
    stuckToo();
    stuckToo(); // idempotent
    expect(throttle.bytesInFlight).toBe(0);
    expect(throttle.stalledBytes).toBe(0);
  });

  it('never lets responses stuck at streams that never read lock out a stream that reads, whatever their size', async () => {
    const throttle = new PushThrottle({ limit: 100, maxBytes: 32, maxStalledBytes: 32, maxHoldMs: 10 });
    // Streams that never read, each given a response larger than a quarter of maxBytes, until no
    // more are admitted: every one stalls, and the allowances fill past their caps.
    const stuck: Array<() => void> = [];
    for (;;) {
      let admitted = false;
      const waiting = acquire(throttle).then((release) => {
        admitted = true;
        stuck.push(throttle.holdBytes(12));
        release();
      });
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (!admitted) {
        void waiting;
        break;
      }
    }
    // As far as a reserve of a quarter of maxBytes reaches, which would lock the next one out.
    expect(throttle.stalledBytes).toBeGreaterThanOrEqual(32 + 32 + 32 / 4);
    // A stream that reads is still let in, at once.
    let promptAdmitted = false;
    const prompt = acquire(throttle, true).then((release) => {
      promptAdmitted = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(promptAdmitted).toBe(true);
    (await prompt)();
    for (const give of stuck) give();
  });

  it('admits waiters whose stream wrote promptly before the others', async () => {
    const throttle = new PushThrottle({ limit: 1 });
    const release = await acquire(throttle);
    const order: string[] = [];
    const waiters = [
      acquire(throttle).then((r) => (order.push('new-1'), r)),
      acquire(throttle).then((r) => (order.push('new-2'), r)),
      acquire(throttle, true).then((r) => (order.push('prompt'), r)),
    ];
    release();
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const admitted = order.at(-1);
      (await waiters[admitted === 'prompt' ? 2 : admitted === 'new-1' ? 0 : 1])?.();
    }
    expect(order).toEqual(['prompt', 'new-1', 'new-2']);
  });

  it('lets a waiting unproven stream in after a few prompt ones, so new streams never starve', async () => {
    const throttle = new PushThrottle({ limit: 1, maxHoldMs: 10_000 });
    const first = await acquire(throttle, true);
    const order: string[] = [];
    const queue = (prompt: boolean, name: string): Promise<void> => acquire(throttle, prompt).then((release) => {
      order.push(name);
      release();
    });
    const waits = [queue(false, 'new'), ...['p1', 'p2', 'p3', 'p4', 'p5'].map((name) => queue(true, name))];
    first();
    await Promise.all(waits);
    // `first` was the first of three prompt admissions in a row; then the new stream's turn.
    expect(order).toEqual(['p1', 'p2', 'new', 'p3', 'p4', 'p5']);
  });

  it('keeps a quarter of the slots for waiters whose stream wrote promptly', async () => {
    const throttle = new PushThrottle({ limit: 4 });
    expect(throttle.unprovenLimit).toBe(3);
    await Promise.all([acquire(throttle), acquire(throttle), acquire(throttle)]);
    let unprovenAdmitted = false;
    void acquire(throttle).then(() => (unprovenAdmitted = true));
    const prompt = await acquire(throttle, true);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(unprovenAdmitted).toBe(false);
    expect(throttle.inFlight).toBe(4);
    prompt();
  });

  it('counts the bytes a grant holds before it admits the next waiter', () => {
    const throttle = new PushThrottle({ limit: 10, maxBytes: 100, maxHoldMs: 1_000 });
    const granted: string[] = [];
    const giveBack: Array<() => void> = [];
    const releases: ReleaseSlot[] = [];
    // Five streams wait behind one slot holder; each builds a 60-byte response when let in.
    const holder = new Promise<ReleaseSlot>((resolve) => throttle.acquire(false, resolve));
    for (const name of ['a', 'b', 'c', 'd', 'e']) {
      throttle.acquire(false, (release) => {
        granted.push(name);
        giveBack.push(throttle.holdBytes(60));
        releases.push(release);
      });
    }
    // All admitted at once (limit 10), but only as far as the bytes go: the first two cross 100.
    expect(granted).toEqual(['a', 'b']);
    expect(throttle.bytesInFlight).toBe(120);
    expect(throttle.queued).toBe(3);
    // One written: its bytes and slot come back, and the next is let in, and no more.
    giveBack[0]?.();
    releases[0]?.();
    expect(granted).toEqual(['a', 'b', 'c']);
    for (const give of giveBack) give();
    for (const release of releases) release();
    expect(granted).toEqual(['a', 'b', 'c', 'd', 'e']);
    void holder.then((release) => release());
  });

  it('admits in order when a grant releases at once and waits again (its stream had nothing to send)', () => {
    const throttle = new PushThrottle({ limit: 1 });
    const order: string[] = [];
    let holder: ReleaseSlot | undefined;
    throttle.acquire(false, (release) => (holder = release));
    let again = 3;
    let depth = 0;
    let deepest = 0;
    const granted = (name: string, release: ReleaseSlot, then?: () => void): void => {
      deepest = Math.max(deepest, ++depth);
      order.push(name);
      release();
      then?.();
      depth--;
    };
    const retrying = (release: ReleaseSlot): void => granted('retry', release, () => {
      if (--again > 0) throttle.acquire(false, retrying);
    });
    throttle.acquire(false, retrying);
    throttle.acquire(false, (release) => granted('other', release));
    expect(order).toEqual([]);
    holder?.();
    // Each grant runs to its end before the next is admitted (none runs inside another), and one
    // that waits again goes to the back.
    expect(order).toEqual(['retry', 'other', 'retry', 'retry']);
    expect(deepest).toBe(1);
    expect(throttle.inFlight).toBe(0);
    expect(throttle.queued).toBe(0);
  });

  it('lets in any number of waiters that release at once without nesting their grants', () => {
    const throttle = new PushThrottle({ limit: 1 });
    let holder: ReleaseSlot | undefined;
    throttle.acquire(false, (release) => (holder = release));
    let granted = 0;
    for (let i = 0; i < 50_000; i++) {
      throttle.acquire(false, (release) => {
        granted++;
        release();
      });
    }
    holder?.();
    expect(granted).toBe(50_000);
  });

  it('gives the slot of a grant that throws back, and throws the error again outside the admission', () => {
    const throttle = new PushThrottle({ limit: 1 });
    let rethrow: (() => void) | undefined;
    const microtask = vi.spyOn(globalThis, 'queueMicrotask').mockImplementationOnce((callback) => {
      rethrow = callback;
    });
    try {
      throttle.acquire(false, () => {
        throw new Error('respond failed');
      });
    } finally {
      microtask.mockRestore();
    }
    expect(throttle.inFlight).toBe(0);
    expect(rethrow).toThrow('respond failed');
    let admitted = false;
    throttle.acquire(false, (release) => {
      admitted = true;
      release();
    });
    expect(admitted).toBe(true);
  });

  it('sizes the default limit like Istio does', () => {
    expect(defaultPushLimit()).toBeGreaterThanOrEqual(20);
    expect(defaultPushLimit()).toBeLessThanOrEqual(100);
  });
});
