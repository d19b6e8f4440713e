import { describe, expect, it } from 'vitest';
import { sameContent } from './same-content.js';

describe('sameContent', () => {
  it('compares plain objects, arrays and buffers by content, not identity', () => {
    const make = (): object => ({ name: 'c', lb: 'ROUND_ROBIN', hosts: [{ port: 80, tags: ['a'] }], bytes: Buffer.from('x') });
    expect(sameContent(make(), make())).toBe(true);
    expect(sameContent({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameContent({ a: { b: 1 } }, { a: { b: '1' } })).toBe(false);
    expect(sameContent({ a: Buffer.from('x') }, { a: Buffer.from('y') })).toBe(false);
    expect(sameContent({ a: [] }, { a: {} })).toBe(false);
  });

  it('treats a field set to undefined as absent, and an extra field as a difference', () => {
    expect(sameContent({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameContent({ a: 1 }, { a: 1, b: undefined })).toBe(true);
    expect(sameContent({ a: 1 }, { a: 1, b: null })).toBe(false);
    expect(sameContent({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameContent({ a: 1, c: 3 }, { a: 1, b: 3 })).toBe(false);
  });
});
