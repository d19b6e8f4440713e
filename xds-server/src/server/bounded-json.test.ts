import { describe, expect, it } from 'vitest';
import { DEBUG_JSON_BOUNDS, boundedJson } from './bounded-json.js';
import type { JsonBounds } from './bounded-json.js';

const render = (value: unknown, bounds: Partial<JsonBounds> = {}): string => [...boundedJson(value, { ...DEBUG_JSON_BOUNDS, ...bounds })].join('');

describe('boundedJson', () => {
  it('writes what JSON.stringify writes when nothing is over a bound', () => {
    const value = { a: [1, 'two', null, true, { b: [] }], c: {}, d: undefined, e: new Date(0), f: [undefined, Infinity] };
    expect(render(value)).toBe(JSON.stringify(value, null, 2));
    expect(render([])).toBe('[]');
    expect(render('x')).toBe('"x"');
  });

  it('cuts strings, arrays, objects and depth, saying what was left out', () => {
    const parsed = JSON.parse(render({ text: 'y'.repeat(50), list: [1, 2, 3, 4, 5], deep: { a: { b: { c: 1 } } }, k1: 1, k2: 2 }, { maxStringChars: 10, maxArrayItems: 2, maxObjectKeys: 4, maxDepth: 3 })) as Record<string, unknown>;
    expect(parsed['text']).toBe(`${'y'.repeat(10)}… [truncated: 50 characters in all]`);
    expect(parsed['list']).toEqual([1, 2, '… 3 more items not shown']);
    expect(parsed['deep']).toEqual({ a: { b: '… nested deeper than 3 levels, not shown' } });
    expect(parsed['…']).toBe('1 more keys not shown');
  });

  it('stops at maxChars with valid JSON, in chunks', () => {
    const streams = Array.from({ length: 10_000 }, (_, i) => ({ streamId: i, message: 'm'.repeat(100) }));
    const chunks = [...boundedJson({ streams }, { ...DEBUG_JSON_BOUNDS, maxArrayItems: 100_000, maxChars: 100_000, chunkChars: 8_192 })];
    expect(chunks.length).toBeGreaterThan(10);
    const text = chunks.join('');
    expect(text.length).toBeLessThan(110_000);
    const parsed = JSON.parse(text) as { streams: unknown[] };
    expect(parsed.streams.at(-1)).toMatch(/^… \d+ more items not shown$/);
  });
});
