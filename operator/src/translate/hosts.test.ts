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

  it('serves wildcards up to 15 labels deep and refuses deeper ones, whose guard Envoy would reject', () => {
    const deep = (labels: number): string => `*.${Array.from({ length: labels }, () => 'a').join('.')}`;
    expect(normalizeHost(deep(15))).toEqual({ host: deep(15) });
    expect(normalizeHost(deep(16))).toEqual({ error: `"${deep(16)}" is a wildcard with 16 labels after "*.": the regex that keeps it to one label would be over Envoy's program size limit, which rejects the whole route table; Portico serves wildcards up to 15 labels deep` });
  });

  it('rejects a label longer than DNS allows', () => {
    expect(normalizeHost(`${'a'.repeat(64)}.example.com`)).toEqual({ error: `"${'a'.repeat(64)}.example.com" is not a valid host: its label "aaaaaaaaaaaaaaaa…" is 64 characters long, over DNS's 63` });
  });

  it.each(['*', '*example.com', 'foo.*.com', 'foo_bar.com', 'foo.com:80', '10.0.0.1', '-foo.com'])('rejects %s', (input) => {
    expect(normalizeHost(input)).toHaveProperty('error');
  });
});
