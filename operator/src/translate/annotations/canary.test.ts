import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { readerOf } from '../../test-support/annotation-reader.js';
import { cookieRegex, readCanaryRules } from './canary.js';

const P = 'nginx.ingress.kubernetes.io/';
function read(annotations: Record<string, string>) {
  const reader = readerOf(annotations);
  return { rules: readCanaryRules(reader), problems: reader.problems };
}

describe('readCanaryRules', () => {
  it('is not a canary without canary: "true"; canary rules without it are errors, as ingress-nginx\'s "configured but not enabled"', () => {
    expect(read({}).rules).toBeUndefined();
    const { rules, problems } = read({ 'canary-weight': '10', 'canary-by-header': 'x' });
    expect(rules).toBeUndefined();
    expect(problems.map((p) => [p.annotation, p.severity])).toEqual([[`${P}canary-by-header`, 'error'], [`${P}canary-weight`, 'error']]);
  });

  it('defaults: weight 0 of 100, no header or cookie', () => {
    expect(read({ canary: 'true' })).toEqual({ rules: { weight: 0, totalWeight: 100 }, problems: [] });
  });

  it('header names are lowercase and `_` stands for `-` (nginx $http_ variables)', () => {
    expect(read({ canary: 'true', 'canary-by-header': 'X_Canary' }).rules?.header).toEqual({ name: 'x-canary' });
  });

  it('a header value wins over a pattern, which is then ignored with a warning', () => {
    const { rules, problems } = read({ canary: 'true', 'canary-by-header': 'x-v', 'canary-by-header-value': 'v2', 'canary-by-header-pattern': 'v.*' });
    expect(rules?.header).toEqual({ name: 'x-v', value: 'v2' });
    expect(problems).toEqual([expect.objectContaining({ annotation: `${P}canary-by-header-pattern`, severity: 'warning' })]);
  });

  it('a pattern is found anywhere in the value, as ngx.re.match', () => {
    const pattern = read({ canary: 'true', 'canary-by-header': 'x-user', 'canary-by-header-pattern': 'ali(ce)?' }).rules?.header?.pattern ?? '';
    expect(RE2JS.compile(pattern).matches('name=alice; x')).toBe(true);
    expect(RE2JS.compile(pattern).matches('bob')).toBe(false);
  });

  it('refuses a pattern RE2 cannot take (PCRE lookahead), leaving the always/never header', () => {
    const { rules, problems } = read({ canary: 'true', 'canary-by-header': 'x-user', 'canary-by-header-pattern': '^(?!bob)' });
    expect(rules?.header).toEqual({ name: 'x-user' });
    expect(problems).toEqual([expect.objectContaining({ annotation: `${P}canary-by-header-pattern`, severity: 'error', message: expect.stringMatching(/not a valid RE2/) })]);
  });

  it('value and pattern have no effect without canary-by-header', () => {
    const { rules, problems } = read({ canary: 'true', 'canary-by-header-value': 'v2' });
    expect(rules?.header).toBeUndefined();
    expect(problems).toEqual([expect.objectContaining({ annotation: `${P}canary-by-header-value`, message: 'has no effect without canary-by-header' })]);
  });

  it('refuses header and cookie names that are not tokens', () => {
    const { rules, problems } = read({ canary: 'true', 'canary-by-header': 'x canary', 'canary-by-cookie': 'a;b' });
    expect(rules).toEqual({ weight: 0, totalWeight: 100 });
    expect(problems.map((p) => p.annotation)).toEqual([`${P}canary-by-header`, `${P}canary-by-cookie`]);
  });

  it('weights: totals under 100 count as 100 (ingress-nginx), a weight over the total is the total', () => {
    expect(read({ canary: 'true', 'canary-weight': '25', 'canary-weight-total': '1000' }).rules).toMatchObject({ weight: 25, totalWeight: 1000 });
    const small = read({ canary: 'true', 'canary-weight': '25', 'canary-weight-total': '50' });
    expect(small.rules).toMatchObject({ weight: 25, totalWeight: 100 });
    expect(small.problems).toEqual([expect.objectContaining({ annotation: `${P}canary-weight-total`, severity: 'warning' })]);
    expect(read({ canary: 'true', 'canary-weight': '150' }).rules).toMatchObject({ weight: 100, totalWeight: 100 });
    const negative = read({ canary: 'true', 'canary-weight': '-5' });
    expect(negative.rules).toMatchObject({ weight: 0 });
    expect(negative.problems).toEqual([expect.objectContaining({ annotation: `${P}canary-weight`, severity: 'error' })]);
  });
});

describe('cookieRegex', () => {
  const always = RE2JS.compile(cookieRegex('use.canary', 'always'));
  it.each([
    ['use.canary=always', true],
    ['a=1; use.canary=always', true],
    ['a=1; USE.CANARY = always; b=2', true],
    ['use.canary=always2', false],
    ['xuse.canary=always', false],
    ['use_canary=always', false],
    ['a=use.canary=always', false],
    ['use.canary=never; a=always', false],
  ])('%s → %s', (cookie, expected) => {
    expect(always.matches(cookie)).toBe(expected);
  });
});
