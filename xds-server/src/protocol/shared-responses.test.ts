// The cache of responses streams share: same content → the same message (one encode, one nonce);
// anything in the key differing → another message; bounded by bytes, most recently used kept.
import { describe, expect, it } from 'vitest';
import { SharedResponses } from './shared-responses.js';
import type { ResponseContent } from './shared-responses.js';

const TYPE = { typeUrl: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration' };
const resource = (name: string, version: string): { name: string; version: string } => ({ name, version });

function selection(resources: { name: string; version: string }[], overrides: Partial<ResponseContent> = {}, fleet = 'web'): ResponseContent {
  return { type: TYPE, snapshot: { fleet }, resources, removed: [], version: 'v1', ...overrides };
}

describe('SharedResponses', () => {
  it('encodes a selection once and hands the same message to the next stream in the same position', () => {
    const cache = new SharedResponses();
    let encodes = 0;
    const encode = (nonce: string): Buffer => Buffer.from(`body ${++encodes} ${nonce}`);
    const first = cache.get('sotw', selection([resource('a', '1')]), 'cp', encode);
    const second = cache.get('sotw', selection([resource('a', '1')]), 'cp', encode);
    expect(second).toBe(first);
    expect(encodes).toBe(1);
    expect(first?.nonce).toMatch(/^s\d+$/);
    expect(cache.counters).toEqual({ reused: 1, built: 1 });
  });

  it('builds another message, with another nonce, when anything but the nonce would differ', () => {
    const cache = new SharedResponses();
    const encode = (nonce: string): Buffer => Buffer.from(nonce);
    const base = cache.get('sotw', selection([resource('a', '1')]), 'cp', encode);
    const others = [
      cache.get('delta', selection([resource('a', '1')]), 'cp', encode),
      cache.get('sotw', selection([resource('a', '2')]), 'cp', encode),
      cache.get('sotw', selection([resource('a', '1'), resource('b', '1')]), 'cp', encode),
      cache.get('sotw', selection([resource('a', '1')], { version: 'v2' }), 'cp', encode),
      cache.get('sotw', selection([resource('a', '1')], { removed: ['gone'] }), 'cp', encode),
      cache.get('sotw', selection([resource('a', '1')], { wildcardOnly: true }), 'cp', encode),
      cache.get('sotw', selection([resource('a', '1')]), 'another-control-plane', encode),
      // The same content in another fleet: never shared across fleets.
      cache.get('sotw', selection([resource('a', '1')], {}, 'other-fleet'), 'cp', encode),
    ];
    const nonces = new Set([base, ...others].map((m) => m?.nonce));
    expect(nonces.size).toBe(others.length + 1);
    expect(cache.counters.reused).toBe(0);
  });

  it('keeps at most maxBytes (messages and keys), dropping the least recently used first, and never keeps a message over a quarter of it', () => {
    const encode = (size: number) => (nonce: string): Buffer => Buffer.concat([Buffer.from(nonce), Buffer.alloc(size - nonce.length)]);
    const getFrom = (cache: SharedResponses, name: string, size = 200): ReturnType<SharedResponses['get']> => cache.get('sotw', selection([resource(name, '1')]), undefined, encode(size));
    // What one entry costs (its message and its key): room for six.
    const probe = new SharedResponses();
    getFrom(probe, 'a');
    const maxBytes = 6 * probe.heldBytes;
    const cache = new SharedResponses(maxBytes);
    const get = (name: string, size?: number): ReturnType<SharedResponses['get']> => getFrom(cache, name, size);
    const a = get('a');
    get('b');
    expect(get('a')).toBe(a); // a is now the most recently used
    for (const name of ['c', 'd', 'e', 'f']) get(name);
    expect(cache.heldBytes).toBe(maxBytes);
    get('g'); // over: b, the least recently used, goes
    expect(cache.heldBytes).toBeLessThanOrEqual(maxBytes);
    expect(get('a')).toBe(a);
    const built = cache.counters.built;
    get('b'); // the least recently used went first
    expect(cache.counters.built).toBe(built + 1);
    expect(cache.heldBytes).toBeLessThanOrEqual(maxBytes);
    // Kept messages own their memory: a small one is not a slice pinning an 8 KiB pool slab.
    expect(a?.bytes.buffer.byteLength).toBe(a?.bytes.length);

    const big = get('big', Math.ceil(maxBytes / 4) + 1);
    const again = get('big', Math.ceil(maxBytes / 4) + 1);
    expect(again?.nonce).not.toBe(big?.nonce);
    expect(again?.serial).toBeGreaterThan(big?.serial ?? Infinity);
  });

  it('tells apart removals whose names hold what a joined key would separate by (names are the client\'s own)', () => {
    const cache = new SharedResponses();
    const encode = (nonce: string): Buffer => Buffer.from(nonce);
    const one = cache.get('delta', selection([], { removed: ['a\u0001b'] }), 'cp', encode);
    const two = cache.get('delta', selection([], { removed: ['a', 'b'] }), 'cp', encode);
    expect(two?.nonce).not.toBe(one?.nonce);
    // Names that copy the key's own lengths and markers: each is a message of its own.
    const lookalikes = [
      selection([], { removed: ['ax1:b'] }),
      selection([], { removed: ['a', 'x1:b'] }),
      selection([], { removed: ['1:a'] }),
      selection([resource('a', '1')]),
      selection([], { removed: ['a', '1'] }),
      selection([resource('a', '1')], { removed: ['b'] }),
      selection([resource('a', '1r1:b')]),
      selection([resource('a', '1'), resource('b', '')]),
    ];
    const nonces = new Set([one.nonce, two.nonce, ...lookalikes.map((s) => cache.get('delta', s, 'cp', encode).nonce)]);
    expect(nonces.size).toBe(lookalikes.length + 2);
    // And the same content again is the same message.
    expect(cache.get('delta', selection([], { removed: ['ax1:b'] }), 'cp', encode).nonce).toBe(cache.get('delta', lookalikes[0] as never, 'cp', encode).nonce);
  });
});
