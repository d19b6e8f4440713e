import { describe, expect, it } from 'vitest';
import { AnnotationReader, describeInvalid } from './reader.js';

const P = 'nginx.ingress.kubernetes.io/';

describe('AnnotationReader.size', () => {
  it.each([['0', 0], ['512', 512], ['8k', 8192], ['8m', 8 * 1024 ** 2], ['3g', 3 * 1024 ** 3], ['1M', 1024 ** 2]])('%s is %d bytes', (value, bytes) => {
    const reader = new AnnotationReader({ [`${P}proxy-body-size`]: value });
    expect(reader.size('proxy-body-size')).toBe(bytes);
    expect(reader.problems).toEqual([]);
  });

  it.each(['4g', '5g', '100g', '9999999999'])('refuses %s: over what Envoy\'s 32-bit byte counts hold (it would wrap, or become an invalid 0)', (value) => {
    const reader = new AnnotationReader({ [`${P}proxy-body-size`]: value });
    expect(reader.size('proxy-body-size')).toBeUndefined();
    expect(reader.problems).toEqual([{ annotation: `${P}proxy-body-size`, severity: 'error', message: `"${value}" is too large: Envoy counts at most 4294967295 bytes (just under 4g); ignored` }]);
  });
});

describe('describeInvalid', () => {
  it('quotes a few bad items and counts the rest, so a huge list cannot flood a message', () => {
    expect(describeInvalid(['a', 'b'])).toBe('"a", "b"');
    expect(describeInvalid(Array.from({ length: 1000 }, (_, i) => `x${i}`))).toBe('"x0", "x1", "x2", "x3", "x4" and 995 more');
    expect(describeInvalid(['y'.repeat(100)])).toBe(`"${'y'.repeat(64)}…"`);
  });
});
