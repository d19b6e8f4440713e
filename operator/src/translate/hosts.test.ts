import { describe, expect, it } from 'vitest';
import { normalizeHost } from './hosts.js';

describe('normalizeHost', () => {
  it.each([
    [undefined, '*'],
    ['', '*'],
    ['*.example.com', '*.example.com'],
    [`${'a'.repeat(63)}.example.com`, `${'a'.repeat(63)}.example.com`],
  ])('%s → %s', (input, host) => {
    expect(normalizeHost(input)).toEqual({ host });
  });

  it('serves an uppercase host lowercased, with a warning (the API server would refuse it)', () => {
    expect(normalizeHost('Foo.Example.COM')).toEqual({ host: 'foo.example.com', warning: '"Foo.Example.COM" has uppercase letters, which the API server refuses in a host; it is served as "foo.example.com"' });
  });

  it('rejects a label longer than DNS allows', () => {
    expect(normalizeHost(`${'a'.repeat(64)}.example.com`)).toEqual({ error: `"${'a'.repeat(64)}.example.com" is not a valid host: its label "aaaaaaaaaaaaaaaa…" is 64 characters long, over DNS's 63` });
  });

  it.each(['*', '*example.com', 'foo.*.com', 'foo_bar.com', 'foo.com:80', '10.0.0.1', '-foo.com'])('rejects %s', (input) => {
    expect(normalizeHost(input)).toHaveProperty('error');
  });
});
