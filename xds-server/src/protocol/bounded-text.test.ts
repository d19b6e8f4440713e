import { describe, expect, it } from 'vitest';
import { boundText } from './bounded-text.js';

describe('boundText', () => {
  it('keeps short text as it is', () => {
    expect(boundText('resource index 0: bad', 1024)).toBe('resource index 0: bad');
  });

  it('cuts long text and says how long it was', () => {
    const bounded = boundText('x'.repeat(3_900_000), 1024);
    expect(bounded).toBe(`${'x'.repeat(1024)}… [truncated: 3900000 characters in all]`);
  });

  it('does not split a surrogate pair', () => {
    const bounded = boundText(`${'a'.repeat(9)}😀tail`, 10);
    expect(bounded.startsWith(`${'a'.repeat(9)}…`)).toBe(true);
  });
});
