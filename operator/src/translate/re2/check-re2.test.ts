// checkRe2 on the patterns of issue 12, which re2js passed although C++ RE2 (and so Envoy)
// sizes them over the limit: now refused, each with a reason a user can act on.
import { describe, expect, it } from 'vitest';
import { wholePathRegex } from '../../ir/host-and-path.js';
import { checkRe2 } from '../regex.js';

describe('checkRe2 on wrapped path regexes', () => {
  it('refuses what Envoy would reject, with C++ RE2 sizes', () => {
    expect(checkRe2(wholePathRegex('/\\p{L}+/\\p{N}+'))).toEqual({ ok: false, reason: 'refused: uses \\p{L}: Unicode classes (\\p) are not supported in path regexes' });
    expect(checkRe2(wholePathRegex('/[A-Za-z0-9_-]{3,32}'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^too costly: its RE2 program size \d+ is over Envoy's limit of 100/) });
    expect(checkRe2('/.{1,20}')).toEqual({ ok: false, reason: 'too costly: its RE2 program size 184 is over Envoy\'s limit of 100; simplify the expression' });
    // Wrapped, RE2 coalesces .{1,20}.* into .+, which is small.
    expect(checkRe2(wholePathRegex('/.{1,20}'))).toEqual({ ok: true, groups: 0 });
  });

  it('judges syntax alone when asked: the size that matters is the wrapped pattern Envoy compiles', () => {
    expect(checkRe2('/.{1,20}(x)', false)).toEqual({ ok: true, groups: 1 });
    expect(checkRe2('/(?:.{0,1000}x)', false)).toEqual({ ok: true, groups: 0 });
    expect(checkRe2('/(unclosed', false)).toMatchObject({ ok: false });
  });

  it('refuses patterns too big to build, without failing', () => {
    expect(checkRe2(wholePathRegex('/(?:.{0,1000}x){1}'))).toMatchObject({ ok: false, reason: expect.stringMatching(/^too costly/) });
  });

  it('accepts typical paths and counts their groups', () => {
    expect(checkRe2(wholePathRegex('/api(/|$)(.*)'))).toEqual({ ok: true, groups: 2 });
    expect(checkRe2(wholePathRegex('/(?P<id>[0-9]+)/[^/]+'))).toEqual({ ok: true, groups: 1 });
  });

  it('reports invalid patterns in RE2\'s words', () => {
    expect(checkRe2('/(unclosed')).toEqual({ ok: false, reason: 'not a valid RE2 regular expression (error parsing regexp: missing ): `/(unclosed`)' });
  });
});
