// The one-label guard of wildcard hosts must stay within Envoy's regex program size limit, or
// Envoy rejects the fleet's whole route table. Sizes are checked against real C++ RE2 (Debian's
// libre2, the library Envoy links), through e2e/re2/ensure-re2-size.sh, which installs and builds
// what it needs; this suite fails, never skips, when it cannot.
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { re2ProgramSizes } from '../test-support/re2-oracle.js';
import { ENVOY_MAX_REGEX_PROGRAM_SIZE, MAX_WILDCARD_SUFFIX_LABELS, singleLabelProgramSize, singleLabelRegex } from './host-and-path.js';

const wildcard = (labels: number): string => `*.${Array.from({ length: labels }, (_, i) => `l${i}`).join('.')}`;

describe('the one-label guard of wildcard hosts', () => {
  it('has the C++ RE2 program size Portico computes, at every depth up to twice the deepest it serves', { timeout: 300_000 }, () => {
    const depths = Array.from({ length: 2 * MAX_WILDCARD_SUFFIX_LABELS }, (_, i) => i + 1);
    const sizes = re2ProgramSizes(depths.map((n) => singleLabelRegex(wildcard(n))));
    expect(sizes).toEqual(depths.map((n) => String(singleLabelProgramSize(n))));
  });

  it('stays within Envoy\'s limit for every wildcard Portico serves, and would not one label deeper', () => {
    expect(singleLabelProgramSize(MAX_WILDCARD_SUFFIX_LABELS)).toBeLessThanOrEqual(ENVOY_MAX_REGEX_PROGRAM_SIZE);
    expect(singleLabelProgramSize(MAX_WILDCARD_SUFFIX_LABELS + 1)).toBeGreaterThan(ENVOY_MAX_REGEX_PROGRAM_SIZE);
  });

  it('matches one label of printable ASCII and nothing deeper', () => {
    const guard = RE2JS.compile(singleLabelRegex('*.example.com'));
    expect(['a.example.com', 'A-1_b.example.com'].map((h) => guard.matches(h))).toEqual([true, true]);
    expect(['x.y.example.com', '.example.com', 'a b.example.com'].map((h) => guard.matches(h))).toEqual([false, false, false]);
  });
});
