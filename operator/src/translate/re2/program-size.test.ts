// Proof that re2ProgramSize computes C++ RE2's ProgramSize() exactly: every pattern of a
// hand-written corpus (in the two forms Portico wraps path regexes in as well) and of a seeded
// random grammar is sized by Portico and by Debian's libre2, and the two must agree, invalid
// patterns included. What Portico refuses must be exactly what it means to refuse.
import { describe, expect, it } from 'vitest';
import { re2ProgramSizes } from '../../test-support/re2-oracle.js';
import { re2ProgramSize, type ProgramSize } from './program-size.js';
import { seededRandom } from '../../../../xds-server/src/test-support/seeded-random.js';

const wrapPath = (p: string): string => `(?i)(?:${p}).*`;
const wrapRewrite = (p: string): string => `(?i)^(?:${p}).*$`;

// Paths as ingress-nginx users write them, then constructs chosen to exercise each RE2 rewrite.
const CORPUS: string[] = [
  '/', '/api', '/api/', '/api/v1', '/api/v[0-9]+', '/api/v[0-9]+/.*', '/api(/|$)(.*)', '/(api|app)/(.*)',
  '/foo(/|$)(.*)', '/something(/|$)(.*)', '/.well-known/acme-challenge/.*', '/static/.+\\.(css|js|png|jpg)$',
  '/users/[0-9]+', '/users/\\d+/posts/\\d+', '^/api/?$', '/v1/(users|groups)/[^/]+', '/v[12]/.*', '/(v1|v2|v3)/items',
  '/[A-Za-z0-9_-]{3,32}', '/.{1,20}', '/[a-z]+/[a-z]+', '/shop/(?P<id>[0-9]+)', '/docs/(.*)\\.html', '/img/[^/]+\\.(png|gif)',
  '/api/v1/namespaces/[^/]+/pods', '/app/(.+)', '/(.*)', '/.*', '.*', '/healthz', '/metrics$', '/grpc\\.health\\.v1\\.Health/Check',
  '/([a-z]{2})/(.*)', '/[a-z]{2}-[A-Z]{2}/.*', '/blog/[0-9]{4}/[0-9]{2}/[0-9]{2}/[^/]+', '/assets/.*\\.[0-9a-f]{8}\\.js',
  '/(foo|foobar|foobaz)/x', '/(abc|abd|aef|bcx|bcy)', '/api/(users|user|usage)', '/(a|b|c|d)', '/(x|y|z)+', '/login|/logout|/logoff',
  '/search\\?q=.*', '/~user/.*', '/%7Euser/.*', '/a\\+b', '/a b', '/a%20b', '/(?:api|www)/.*', '/v1/(?:a|b)/(c|d)',
  // Repeats.
  'a{0}', 'a{1}', 'a{2}', 'a{3,}', 'a{0,}', 'a{1,}', 'a{2,5}', 'a{0,3}', 'a{1,1}', '(ab){2}', '(ab){2,4}', '(?:ab){0,2}', '(a|b){3}',
  'x{1000}', '(a*){2}', '(a+)+', '(a?)*', '(?:a*)*', '(?:a+)*', '(?:a?)+', 'a**', 'a*?', 'a+?', 'a??', 'a{2}?', 'a{2,}?', 'a{2,3}?',
  '(?U)a*', '(?U)a*?', '(?U)(a+)b', 'a*a+', 'a+a*', 'a?a?a', 'aa*', 'a*a', 'a{2}a{3}', 'a*aaab', '[ab]*[ab]', '.*.*', '.+.?', '\\d*\\d+',
  'a{2}b|a{2}c', '(?:x{3}|x{3}y)', 'a{,2}', 'a{2', 'a{', '{', '}', 'a{1001}', 'a{2,1}', '(a{100}){100}', '(a{10}){10}', 'a{01}',
  // Groups and alternation.
  '()', '(a)', '((a))', '(?:)', '(|a)', '(a|)', 'a|', '|a', '|', 'a||b', '(a|b)(c|d)', '((a|b)c)*', '(a(b(c(d))))', '(?:(?:(?:a)))',
  'abc|abd', 'abc|abd|aef|bcx|bcy', 'ab|a', 'a|ab', 'a|a', 'ab|ab', 'foo|foobar', 'a|b|c', 'a|[bc]|d', '[ab]|[cd]', 'a|.', '.|a',
  '\\d|a', 'a.|a.', '(a|b)|(c|d)', 'x(?:a|b)|x(?:c|d)', '^a|^b', 'a$|b$', '\\ba|\\bb', '(?:a{2}x|a{2}y)', '[ab]x|[ab]y', '.x|.y',
  'abc|ABC', '(?i)abc|abd', '(?i)ab|(?-i)ab', 'ab|(?i)ab', '(?i:a)b|(?i:a)c', 'A|a', '(?:A|a)', '(?:A|a)b', 'K|k', 'a|b|(?i)c',
  // Classes.
  '[a]', '[ab]', '[a-c]', '[^a-c]', '[^a]', '[^/]', '[^/]+', '[\\d]', '[\\w]', '[\\s]', '[\\d\\w]', '[^\\d]', '[\\D]', '[\\W\\d]',
  '[[:alpha:]]', '[[:^digit:]]', '[^[:space:]]', '[[:alnum:]_-]', '[[:word:]]', '[[:punct:]]', '[[:xdigit:]]', '[[:cntrl:]]',
  '[[:ascii:]]', '[[:^ascii:]]', '[[:blank:]]', '[[:graph:]]', '[[:print:]]', '[[:upper:]]', '[[:lower:]]', '[[:foo:]]', '[[:alpha:]',
  '[-a]', '[a-]', '[]a]', '[^]a]', '[a-z-]', '[\\-]', '[.]', '[$]', '[\\]]', '[\\[]', '[a-a]', '[z-a]', '[]', '[^]', '[a', '[\\x00-\\x7f]',
  '[\\x00-\\x{ff}]', '[\\x{80}-\\x{10ffff}]', '[\\x{100}-\\x{10ffff}]', '[^\\x00-\\x{10ffff}]', '[\\x00-\\x{10ffff}]', '[^\\n]', '[\\n]',
  '[a-zA-Z]', '[A-Za-z0-9._~-]', '[!-~]', '[ -~]', '[^ -~]', '[\\x{7ff}-\\x{800}]', '[\\x{ffff}-\\x{10000}]', '[\\x{d7ff}-\\x{e000}]',
  '[\\x{800}-\\x{fff}]', '[\\x{10000}-\\x{3ffff}]', '[\\x{80}-\\x{7ff}]', 'é', 'caf\\x{e9}', '[é-ü]', '日本', '\\x{1F600}', '[^é]',
  // Perl classes and escapes.
  '\\d', '\\D', '\\w', '\\W', '\\s', '\\S', '\\d\\w\\s', '\\.', '\\/', '\\-', '\\_', '\\x41', '\\x{41}', '\\x{10FFFF}', '\\x{110000}',
  '\\101', '\\0', '\\01', '\\1', '\\8', '\\n', '\\t', '\\r', '\\f', '\\v', '\\a', '\\e', '\\q', '\\Qa.b\\E', '\\Qa.b', '\\Q\\E', 'a\\Q*\\Ec',
  '\\C', '\\C*', 'a\\C*', '\\C+', '\\', 'a\\', '\\x', '\\x4', '\\xzz', '\\x{}', '\\x{41',
  // Anchors and empty-width assertions.
  '^', '$', '^$', '^a', 'a$', '^a$', '^abc$', '^^a', 'a$$', '\\Aa\\z', '\\A', '\\z', '\\Z', '\\b', '\\B', '\\ba\\b', '\\Ba\\B', '(?m)^a$',
  '(?m)^', '(?m)$', '(^a)', '(^a|b)', '((^a))', '(((^a)))', '((((^a))))', '(a$)', '^(?:a|b)$', '^a*$', 'a^b', '$a', '(?:^)?a', '^*a', '(?:\\b)?',
  '^/api', '^/api/', '^/api/v1/', '^/[a-z]+', '^/a(b|c)', '^/abc$', '^/api.*', '^(/api)', '^/api|^/app',
  // Flags and case folding.
  '(?i)a', '(?i)k', '(?i)s', '(?i)ks', '(?i)abc', '(?i)kelvin', '(?i)sss', '(?i)[k]', '(?i)[ks]', '(?i)[a-z]', '(?i)[^a-z]', '(?i)[^k]',
  '(?i)\\w', '(?i)\\W', '(?i)\\d', '(?i)[[:alpha:]]', '(?i)[[:^alpha:]]', '(?i)[[:upper:]]', '(?i).', '(?i)[^/]', '(?i)/api/v1',
  '(?i)a(?-i)b', '(?i:a)b', 'a(?i)b', '(?-i)a', '(?i-i)a', '(?-)a', '(?)', '(?x)a', '(?s).', '(?s).*', '(?s:.)a', '(?is)a.', '(?m-s)^.',
  '(?i)\\x{212A}', '(?i)\\x{17F}', '(?i)K\\x{212A}', '(?i)[\\x00-\\x7f]', '(?i)[!-~]', '(?i)_-', '(?i)[_-]', '(?i)\\Qk.s\\E',
  '(?P<name>a)', '(?P<n1>a)(?P<n2>b)', '(?P<a>x)(?P<a>y)', '(?P<>a)', '(?P<a-b>x)', '(?P<a', '(?P=a)', '(?#comment)', '(?=a)', '(?!a)',
  '(?<=a)b', '(?<!a)b', '(?', '(?i', 'a)', '(a', '((a)', 'a))', '*', '+a', '?', '(*)', '(|*)', 'a|*', 'x**', 'x++', 'x*+', 'x?*',
  // Coalescing and factoring interplay.
  'a*a*', 'a+a+', 'a?a', 'aa?', 'a{2}a*', '.*a.*', '[a-z]*[a-z]+', '[a-z]+[a-z]{2}', '\\d{3}\\d{2,}', 'a*ab', 'a*abc|a*abd',
  'x(ab|ac)y', '(?:ab|ac)+', '(?:a|b)*c', '(?:aa|ab)(?:aa|ab)', 'a(?:b|c)d|a(?:b|c)e', '(?i)(?:ab|ac)', '(?:\\d+|\\d+x)',
];

// Patterns Portico refuses on purpose, each for a stated reason.
const REFUSED: Array<[string, RegExp]> = [
  ['/\\p{L}+/\\p{N}+', /Unicode classes/], ['\\pL', /Unicode classes/], ['\\PN', /Unicode classes/], ['[\\p{Greek}]', /Unicode classes/],
  ['\\p{Foo}', /Unicode classes/], ['(?i)é', /Unicode case folding/], ['(?i)[é-ü]', /Unicode case folding/], ['(?i)\\x{e9}', /Unicode case folding/],
  ['(?i)[\\x{80}-\\x{10ffff}]', /Unicode case folding/], ['(?i)[\\x00-\\x{10ffff}]', /Unicode case folding/], ['(?i)€', /Unicode case folding/],
  ['(?<name>a)', /\(\?P<name>/], ['\\b{2}', /empty-width/], ['(?:^$){3}', /empty-width/], ['(?:\\b|\\B){2,}', /empty-width/],
  ['(?-i:[ab])|(?i:a)', /RE2 releases/], ['(?P<ñ>a)', /not ASCII/],
];

function sized(pattern: string): string {
  const r: ProgramSize = re2ProgramSize(pattern);
  if (r.kind === 'size') return String(r.size);
  if (r.kind === 'invalid') return 'error';
  return `refused: ${r.reason}`;
}

function generator(seed: number): () => string {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const LITERALS = ['a', 'b', 'c', 'k', 's', 'A', 'K', 'S', '/', '-', '_', '0', '9', 'x', 'ab', 'abc', '\\.', '\\/', '\\-', ' ', '%', '~', '{', '}', ','];
  const CLASS_ITEMS = ['a', 'b', 'k', 's', 'a-z', 'A-Z', '0-9', 'a-f', '_', '-', '/', '.', '\\d', '\\w', '\\s', '\\D', '\\W', '[:alpha:]', '[:digit:]', '[:^space:]'];
  // Now and then a rune outside ASCII: sized exactly without case folding, refused with it.
  const WIDE = ['é', '日', '\\x{80}-\\x{10ffff}', '\\x00-\\x{ff}', '\\x{7ff}-\\x{800}'];
  const ATOMS = ['.', '\\d', '\\w', '\\s', '\\D', '\\W', '\\S', '^', '$', '\\b', '\\B', '\\A', '\\z', '\\C'];
  const QUANTS = ['*', '+', '?', '{0}', '{1}', '{2}', '{3}', '{0,1}', '{1,2}', '{0,3}', '{2,4}', '{1,}', '{2,}', '{3,}'];
  const GROUPS = ['(', '(?:', '(?i:', '(?-i:', '(?s:', '(?U:', '(?P<g>'];
  const FLAGS = ['', '', '', '(?i)', '(?s)', '(?m)', '(?U)', '(?i)(?s)'];
  const cls = (): string => `[${rnd() < 0.3 ? '^' : ''}${Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(CLASS_ITEMS)).join('')}]`;
  const atom = (depth: number): string => {
    const r = rnd();
    if (r < 0.005) return pick(WIDE).replace(/^(.*-.*)$/, '[$1]');
    if (r < 0.4) return pick(LITERALS);
    if (r < 0.6) return cls();
    if (r < 0.8 || depth >= 3) return pick(ATOMS);
    return `${pick(GROUPS)}${alt(depth + 1)})`;
  };
  const piece = (depth: number): string => {
    const a = atom(depth);
    // Repeated assertions (^{2}) are refused, so they are drawn rarely.
    const assertion = /^(\^|\$|\\[bBAz])$/.test(a);
    if (rnd() < (assertion ? 0.03 : 0.35)) return `${a}${pick(QUANTS)}${rnd() < 0.15 ? '?' : ''}`;
    return a;
  };
  const concat = (depth: number): string => Array.from({ length: Math.floor(rnd() * 4) + (depth === 0 ? 1 : 0) }, () => piece(depth)).join('');
  const alt = (depth: number): string => Array.from({ length: 1 + (rnd() < 0.4 ? 1 + Math.floor(rnd() * 3) : 0) }, () => concat(depth)).join('|');
  return () => `${pick(FLAGS)}${alt(0)}`;
}

describe('re2ProgramSize, against C++ RE2 (Debian libre2)', () => {
  it('sizes the hand-written corpus, and its two wrapped forms, exactly as libre2 does', { timeout: 120_000 }, () => {
    const patterns = CORPUS.flatMap((p) => [p, wrapPath(p), wrapRewrite(p)]);
    const oracle = re2ProgramSizes(patterns);
    const ours = patterns.map(sized);
    const refused = patterns.filter((_, i) => ours[i]!.startsWith('refused'));
    // The corpus deliberately holds Unicode that only case folding makes unsizable.
    const wide = (p: string): boolean => [...p].some((ch) => ch.codePointAt(0)! > 0x7f) || /\\x\{/.test(p);
    expect(refused.filter((p) => !p.startsWith('(?i)') || !wide(p))).toEqual([]);
    const compared = patterns.map((p, i) => ({ p, ours: ours[i], re2: oracle[i] })).filter((c) => !c.ours!.startsWith('refused'));
    expect(compared.filter((c) => c.ours !== c.re2)).toEqual([]);
    expect(compared.length).toBeGreaterThan(3 * CORPUS.length - 40);
  });

  it('refuses what it cannot size exactly, and says why', () => {
    for (const [pattern, reason] of REFUSED) {
      for (const p of [pattern, wrapPath(pattern), wrapRewrite(pattern)]) {
        const r = re2ProgramSize(p);
        expect({ p, kind: r.kind }).toEqual({ p, kind: 'unsupported' });
        if (r.kind === 'unsupported') expect(r.reason).toMatch(reason);
      }
    }
  });

  it('sizes a few thousand seeded random patterns exactly as libre2 does', { timeout: 120_000 }, () => {
    const next = generator(20240611);
    const patterns: string[] = [];
    for (let i = 0; i < 4000; i++) {
      const p = next();
      patterns.push(i % 4 === 1 ? wrapPath(p) : i % 4 === 3 ? wrapRewrite(p) : p);
    }
    const oracle = re2ProgramSizes(patterns);
    const ours = patterns.map(sized);
    const compared = patterns.map((p, i) => ({ p, ours: ours[i]!, re2: oracle[i]! })).filter((c) => !c.ours.startsWith('refused'));
    expect(compared.filter((c) => c.ours !== c.re2)).toEqual([]);
    // Refusals are the stated kinds only, and rare.
    const refusals = ours.filter((o) => o.startsWith('refused'));
    expect(refusals.filter((o) => !/Unicode case folding|empty-width|RE2 releases/.test(o))).toEqual([]);
    expect(refusals.length).toBeLessThan(patterns.length / 10);
    expect(compared.filter((c) => c.re2 !== 'error').length).toBeGreaterThan(patterns.length / 2);
  });
});
