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

  it('keeps at most maxBytes, dropping the least recently used first, and never keeps a message over a quarter of it', () => {
    const cache = new SharedResponses(1_000);
    const encode = (size: number) => (nonce: string): Buffer => Buffer.concat([Buffer.from(nonce), Buffer.alloc(size - nonce.length)]);
    const a = cache.get('sotw', selection([resource('a', '1')]), undefined, encode(200));
    cache.get('sotw', selection([resource('b', '1')]), undefined, encode(200));
    cache.get('sotw', selection([resource('a', '1')]), undefined, encode(200)); // a is now the most recent
    cache.get('sotw', selection([resource('c', '1')]), undefined, encode(200));
    cache.get('sotw', selection([resource('d', '1')]), undefined, encode(200));
    cache.get('sotw', selection([resource('e', '1')]), undefined, encode(200));
    expect(cache.heldBytes).toBe(1_000);
    cache.get('sotw', selection([resource('f', '1')]), undefined, encode(200)); // over 1,000: b, the least recently used, goes
    expect(cache.heldBytes).toBe(1_000);
    expect(cache.get('sotw', selection([resource('a', '1')]), undefined, encode(200))).toBe(a);
    const before = cache.counters.built;
    cache.get('sotw', selection([resource('b', '1')]), undefined, encode(200));
    expect(cache.counters.built).toBe(before + 1);

    const big = cache.get('sotw', selection([resource('big', '1')]), undefined, encode(251));
    const again = cache.get('sotw', selection([resource('big', '1')]), undefined, encode(251));
    expect(again?.nonce).not.toBe(big?.nonce);
    expect(cache.heldBytes).toBeLessThanOrEqual(1_000);
  });
});
