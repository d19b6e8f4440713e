// Character classes as RE2 builds them: a canonical list of disjoint, non-abutting rune ranges,
// with RE2's case folding and its Perl and POSIX groups. Case folding is limited to ASCII so that
// no Unicode table (whose version differs between RE2 releases) is needed; anything wider is
// refused by the caller.
import { Re2Unsupported } from './refusal.js';

export const RUNE_MAX = 0x10ffff;

export interface RuneRange {
  lo: number;
  hi: number;
}

export class CharClass {
  ranges: RuneRange[] = [];

  /** Adds lo-hi; false when it was already wholly there (RE2's AddRange contract). */
  addRange(lo: number, hi: number): boolean {
    if (hi < lo) return false;
    const rs = this.ranges;
    for (const r of rs) if (r.lo <= lo && hi <= r.hi) return false;
    let newLo = lo;
    let newHi = hi;
    const kept: RuneRange[] = [];
    for (const r of rs) {
      if (r.hi + 1 < newLo || r.lo > newHi + 1) kept.push(r);
      else {
        newLo = Math.min(newLo, r.lo);
        newHi = Math.max(newHi, r.hi);
      }
    }
    kept.push({ lo: newLo, hi: newHi });
    kept.sort((a, b) => a.lo - b.lo);
    this.ranges = kept;
    return true;
  }

  addClass(other: CharClass): void {
    for (const r of other.ranges) this.addRange(r.lo, r.hi);
  }

  contains(r: number): boolean {
    return this.ranges.some((x) => x.lo <= r && r <= x.hi);
  }

  negate(): void {
    const out: RuneRange[] = [];
    let next = 0;
    for (const r of this.ranges) {
      if (r.lo > next) out.push({ lo: next, hi: r.lo - 1 });
      next = r.hi + 1;
    }
    if (next <= RUNE_MAX) out.push({ lo: next, hi: RUNE_MAX });
    this.ranges = out;
  }

  get runeCount(): number {
    return this.ranges.reduce((n, r) => n + r.hi - r.lo + 1, 0);
  }

  isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  isFull(): boolean {
    return this.runeCount === RUNE_MAX + 1;
  }

  /** Whether the class treats A-Z exactly as a-z (RE2's FoldsASCII). */
  foldsAscii(): boolean {
    for (let c = 0; c < 26; c++) if (this.contains(0x41 + c) !== this.contains(0x61 + c)) return false;
    return true;
  }

  copy(): CharClass {
    const c = new CharClass();
    c.ranges = this.ranges.map((r) => ({ ...r }));
    return c;
  }

  equals(other: CharClass): boolean {
    return this.ranges.length === other.ranges.length && this.ranges.every((r, i) => r.lo === other.ranges[i]!.lo && r.hi === other.ranges[i]!.hi);
  }
}

// The rows of RE2's case-folding table that ASCII letters reach: each maps lo-hi by delta. Only
// k (to U+212A KELVIN SIGN) and s (to U+017F LONG S) leave ASCII, and those two fold back.
const ASCII_FOLDS: ReadonlyArray<{ lo: number; hi: number; delta: number }> = [
  { lo: 65, hi: 90, delta: 32 },
  { lo: 97, hi: 106, delta: -32 },
  { lo: 107, hi: 107, delta: 8383 },
  { lo: 108, hi: 114, delta: -32 },
  { lo: 115, hi: 115, delta: 268 },
  { lo: 116, hi: 122, delta: -32 },
  { lo: 383, hi: 383, delta: -300 },
  { lo: 8490, hi: 8490, delta: -8415 },
];

const FOLD_TABLE_LIMIT = 0x7f;

function lookupFold(r: number): { lo: number; hi: number; delta: number } | undefined {
  return ASCII_FOLDS.find((f) => f.hi >= r);
}

/** The next rune in r's case-folding orbit (r itself when it has none). */
export function cycleFold(r: number): number {
  if (r > FOLD_TABLE_LIMIT && r !== 383 && r !== 8490) throw unicodeFold(r, r);
  const f = lookupFold(r);
  if (!f || r < f.lo) return r;
  return r + f.delta;
}

function unicodeFold(lo: number, hi: number): Re2Unsupported {
  const show = (r: number): string => `U+${r.toString(16).toUpperCase().padStart(4, '0')}`;
  return new Re2Unsupported(`case-insensitive matching of ${lo === hi ? show(lo) : `${show(lo)}-${show(hi)}`} needs Unicode case folding, which is not supported in path regexes (HTTP paths are ASCII)`);
}

/** RE2's AddFoldedRange, including its early stop when lo-hi is already present. */
export function addFoldedRange(cc: CharClass, lo: number, hi: number, depth = 0): void {
  if (depth > 10) return;
  if (depth === 0 && hi > FOLD_TABLE_LIMIT) throw unicodeFold(lo, hi);
  if (!cc.addRange(lo, hi)) return;
  while (lo <= hi) {
    const f = lookupFold(lo);
    if (!f) break;
    if (lo < f.lo) {
      lo = f.lo;
      continue;
    }
    addFoldedRange(cc, lo + f.delta, Math.min(hi, f.hi) + f.delta, depth + 1);
    lo = f.hi + 1;
  }
}

// Parse flags (the subset of RE2's Regexp::ParseFlags that Portico's patterns reach).
export const FOLD_CASE = 1 << 0;
export const CLASS_NL = 1 << 2;
export const DOT_NL = 1 << 3;
export const ONE_LINE = 1 << 4;
export const NON_GREEDY = 1 << 6;
export const PERL_CLASSES = 1 << 7;
export const PERL_B = 1 << 8;
export const PERL_X = 1 << 9;
export const UNICODE_GROUPS = 1 << 10;
export const NEVER_NL = 1 << 11;
export const WAS_DOLLAR = 1 << 13;

/** RE2's AddRangeFlags: drops \n when the flags say so, folds case when they say so. */
export function addRangeFlags(cc: CharClass, lo: number, hi: number, flags: number): void {
  const cutNl = !(flags & CLASS_NL) || (flags & NEVER_NL) !== 0;
  if (cutNl && lo <= 10 && 10 <= hi) {
    if (lo < 10) addRangeFlags(cc, lo, 9, flags);
    if (hi > 10) addRangeFlags(cc, 11, hi, flags);
    return;
  }
  if (flags & FOLD_CASE) addFoldedRange(cc, lo, hi);
  else cc.addRange(lo, hi);
}

export interface Group {
  sign: 1 | -1;
  ranges: ReadonlyArray<readonly [number, number]>;
}

const DIGIT = [[0x30, 0x39]] as const;
const SPACE = [[0x9, 0xa], [0xc, 0xd], [0x20, 0x20]] as const;
const WORD = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]] as const;

export const PERL_GROUPS: ReadonlyMap<string, Group> = new Map<string, Group>([
  ['\\d', { sign: 1, ranges: DIGIT }],
  ['\\D', { sign: -1, ranges: DIGIT }],
  ['\\s', { sign: 1, ranges: SPACE }],
  ['\\S', { sign: -1, ranges: SPACE }],
  ['\\w', { sign: 1, ranges: WORD }],
  ['\\W', { sign: -1, ranges: WORD }],
]);

const POSIX: ReadonlyArray<[string, ReadonlyArray<readonly [number, number]>]> = [
  ['alnum', [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]]],
  ['alpha', [[0x41, 0x5a], [0x61, 0x7a]]],
  ['ascii', [[0x0, 0x7f]]],
  ['blank', [[0x9, 0x9], [0x20, 0x20]]],
  ['cntrl', [[0x0, 0x1f], [0x7f, 0x7f]]],
  ['digit', [[0x30, 0x39]]],
  ['graph', [[0x21, 0x7e]]],
  ['lower', [[0x61, 0x7a]]],
  ['print', [[0x20, 0x7e]]],
  ['punct', [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]]],
  ['space', [[0x9, 0xd], [0x20, 0x20]]],
  ['upper', [[0x41, 0x5a]]],
  ['word', [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]]],
  ['xdigit', [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]]],
];

export const POSIX_GROUPS: ReadonlyMap<string, Group> = new Map<string, Group>(
  POSIX.flatMap(([name, ranges]): Array<[string, Group]> => [
    [`[:${name}:]`, { sign: 1, ranges }],
    [`[:^${name}:]`, { sign: -1, ranges }],
  ]),
);

/** RE2's AddUGroup for the ASCII-only Perl and POSIX groups. */
export function addGroup(cc: CharClass, g: Group, sign: number, flags: number): void {
  if (sign === 1) {
    for (const [lo, hi] of g.ranges) addRangeFlags(cc, lo, hi, flags);
    return;
  }
  if (flags & FOLD_CASE) {
    // Negating a folded group: fold the positive group, then negate the lot.
    const positive = new CharClass();
    addGroup(positive, g, 1, flags);
    if (!(flags & CLASS_NL) || flags & NEVER_NL) positive.addRange(10, 10);
    positive.negate();
    cc.addClass(positive);
    return;
  }
  let next = 0;
  for (const [lo, hi] of g.ranges) {
    if (next < lo) addRangeFlags(cc, next, lo - 1, flags);
    next = hi + 1;
  }
  if (next <= RUNE_MAX) addRangeFlags(cc, next, RUNE_MAX, flags);
}
