import { describe, expect, it } from 'vitest';
import { normalizeHost } from './hosts.js';

describe('normalizeHost', () => {
  it.each([
    [undefined, '*'],
    ['', '*'],
    ['Foo.Example.COM', 'foo.example.com'],
    ['*.example.com', '*.example.com'],
  ])('%s → %s', (input, host) => {
    expect(normalizeHost(input)).toEqual({ host });
  });

  it.each(['*', '*example.com', 'foo.*.com', 'foo_bar.com', 'foo.com:80', '10.0.0.1', '-foo.com'])('rejects %s', (input) => {
    expect(normalizeHost(input)).toHaveProperty('error');
  });
});
