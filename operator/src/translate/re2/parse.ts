// RE2's parser (re2/parse.cc), rebuilt for sizing: the same operator stack, the same eager
// rewrites (literal strings, [Aa] as a folded literal, x** as x*, alternation factoring), and the
// same errors, with RE2's default options as Envoy uses them. Unicode classes and non-ASCII case
// folding are refused rather than sized.
import {
  CLASS_NL, CharClass, DOT_NL, FOLD_CASE, NEVER_NL, NON_GREEDY, ONE_LINE, PERL_B, PERL_CLASSES, PERL_GROUPS, PERL_X, POSIX_GROUPS, RUNE_MAX, UNICODE_GROUPS, WAS_DOLLAR,
  type Group, addGroup, addRangeFlags, cycleFold,
} from './char-class.js';
import { factorAlternation } from './factor.js';
import { Op, Regexp } from './regexp.js';
import { Re2SyntaxError, Re2Unsupported } from './refusal.js';

/** RE2::Options() as Envoy constructs RE2 (RE2::Quiet): Perl-like, UTF-8, one line. */
export const DEFAULT_FLAGS = CLASS_NL | ONE_LINE | PERL_CLASSES | PERL_B | PERL_X | UNICODE_GROUPS;

const MAX_REPEAT = 1000;
const MAX_NESTING = 200;

const E = {
  badEscape: 'invalid escape sequence',
  badCharRange: 'invalid character class range',
  missingBracket: 'missing ]',
  missingParen: 'missing )',
  unexpectedParen: 'unexpected )',
  trailingBackslash: 'trailing \\',
  repeatArgument: 'no argument for repetition operator',
  repeatSize: 'invalid repetition size',
  repeatOp: 'bad repetition operator',
  badPerlOp: 'invalid perl operator',
  badUtf8: 'invalid UTF-8',
  badNamedCapture: 'invalid named capture group',
} as const;

/** RE2's FinishRegexp: the node leaves the stack, and a class stops being a builder. */
function finish(re: Regexp): Regexp {
  re.down = null;
  re.fresh = false;
  return re;
}

/** A character class as the parser builds it (RE2 holds these in a CharClassBuilder). */
function freshClass(flags: number): Regexp {
  const re = Regexp.charClass(new CharClass(), flags);
  re.fresh = true;
  return re;
}

const isMarker = (op: number): boolean => op >= Op.LeftParen;
const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined): boolean => c !== undefined && /^[0-9A-Fa-f]$/.test(String.fromCodePoint(c));
const isAsciiAlnum = (c: number): boolean => c < 0x80 && /^[0-9A-Za-z]$/.test(String.fromCodePoint(c));

export function computeSimple(re: Regexp): boolean {
  switch (re.op) {
    case Op.Concat:
    case Op.Alternate:
      return re.subs.every((s) => s.simple);
    case Op.CharClass:
      return !re.cc.isEmpty() && !re.cc.isFull();
    case Op.Capture:
      return re.subs[0]!.simple;
    case Op.Star:
    case Op.Plus:
    case Op.Quest: {
      const sub = re.subs[0]!;
      if (!sub.simple) return false;
      return ![Op.Star, Op.Plus, Op.Quest, Op.EmptyMatch, Op.NoMatch].includes(sub.op as 7);
    }
    case Op.Repeat:
      return false;
    default:
      return true;
  }
}

/** The smallest share of the 1000-copy budget left anywhere under re (0: over budget). */
function repetitionBudget(re: Regexp, arg: number): number {
  if (re.op === Op.Repeat) {
    const m = re.max < 0 ? re.min : re.max;
    if (m > 0) arg = Math.trunc(arg / m);
  }
  let least = arg;
  for (const s of re.subs) least = Math.min(least, repetitionBudget(s, arg));
  return least;
}

export interface Parsed {
  re: Regexp;
  captures: number;
}

class Parser {
  private stacktop: Regexp | null = null;
  private ncap = 0;
  private depth = 0;

  constructor(private flags: number) {}

  get captures(): number {
    return this.ncap;
  }

  currentFlags(): number {
    return this.flags;
  }

  setFlags(flags: number): void {
    this.flags = flags;
  }

  pushRegexp(re: Regexp): void {
    this.maybeConcatString(-1, 0);
    if (re.op === Op.CharClass && re.fresh) {
      const ranges = re.cc.ranges;
      const n = re.cc.runeCount;
      if (n === 1) {
        re = Regexp.literal(ranges[0]!.lo, this.flags);
      } else if (n === 2) {
        const r = ranges[0]!.lo;
        if (r >= 0x41 && r <= 0x5a && re.cc.contains(r + 0x20)) re = Regexp.literal(r + 0x20, this.flags | FOLD_CASE);
      }
    }
    if (!isMarker(re.op)) re.simple = computeSimple(re);
    re.down = this.stacktop;
    this.stacktop = re;
  }

  pushLiteral(r: number): void {
    if (this.flags & FOLD_CASE && cycleFold(r) !== r) {
      const re = freshClass(this.flags & ~FOLD_CASE);
      const r1 = r;
      do {
        if (!(this.flags & NEVER_NL) || r !== 10) re.cc.addRange(r, r);
        r = cycleFold(r);
      } while (r !== r1);
      this.pushRegexp(re);
      return;
    }
    if (this.maybeConcatString(r, this.flags)) return;
    this.pushRegexp(Regexp.literal(r, this.flags));
  }

  pushSimpleOp(op: number, extraFlags = 0): void {
    this.pushRegexp(new Regexp(op, this.flags | extraFlags));
  }

  pushCaret(): void {
    this.pushSimpleOp(this.flags & ONE_LINE ? Op.BeginText : Op.BeginLine);
  }

  pushDollar(): void {
    if (this.flags & ONE_LINE) this.pushSimpleOp(Op.EndText, WAS_DOLLAR);
    else this.pushSimpleOp(Op.EndLine);
  }

  pushDot(): void {
    if (this.flags & DOT_NL && !(this.flags & NEVER_NL)) {
      this.pushSimpleOp(Op.AnyChar);
      return;
    }
    const re = freshClass(this.flags & ~FOLD_CASE);
    re.cc.addRange(0, 9);
    re.cc.addRange(11, RUNE_MAX);
    this.pushRegexp(re);
  }

  pushRepeatOp(op: number, opstr: string, nongreedy: boolean): void {
    const top = this.stacktop;
    if (top === null || isMarker(top.op)) throw new Re2SyntaxError(E.repeatArgument, opstr);
    const fl = nongreedy ? this.flags ^ NON_GREEDY : this.flags;
    if (op === top.op && fl === top.flags) return;
    if ((top.op === Op.Star || top.op === Op.Plus || top.op === Op.Quest) && fl === top.flags) {
      top.op = Op.Star;
      return;
    }
    const re = Regexp.withSubs(op, fl, [top]);
    re.down = top.down;
    finish(top);
    re.simple = computeSimple(re);
    this.stacktop = re;
  }

  pushRepetition(min: number, max: number, opstr: string, nongreedy: boolean): void {
    if ((max !== -1 && max < min) || min > MAX_REPEAT || max > MAX_REPEAT) throw new Re2SyntaxError(E.repeatSize, opstr);
    const top = this.stacktop;
    if (top === null || isMarker(top.op)) throw new Re2SyntaxError(E.repeatArgument, opstr);
    const fl = nongreedy ? this.flags ^ NON_GREEDY : this.flags;
    const re = Regexp.repeat(top, fl, min, max);
    re.down = top.down;
    finish(top);
    re.simple = computeSimple(re);
    this.stacktop = re;
    if ((min >= 2 || max >= 2) && repetitionBudget(re, MAX_REPEAT) === 0) throw new Re2SyntaxError(E.repeatSize, opstr);
  }

  doLeftParen(name: string | undefined): void {
    if (++this.depth > MAX_NESTING) throw new Re2Unsupported(`nests groups more than ${MAX_NESTING} deep`);
    const re = new Regexp(Op.LeftParen, this.flags);
    re.cap = ++this.ncap;
    re.name = name;
    this.pushRegexp(re);
  }

  doLeftParenNoCapture(): void {
    if (++this.depth > MAX_NESTING) throw new Re2Unsupported(`nests groups more than ${MAX_NESTING} deep`);
    const re = new Regexp(Op.LeftParen, this.flags);
    re.cap = -1;
    this.pushRegexp(re);
  }

  doVerticalBar(): void {
    this.maybeConcatString(-1, 0);
    this.doConcatenation();
    const r1 = this.stacktop;
    const r2 = r1?.down;
    if (r1 && r2 && r2.op === Op.VerticalBar) {
      const r3 = r2.down;
      if (r3 && (r1.op === Op.AnyChar || r3.op === Op.AnyChar)) {
        const single = (re: Regexp): boolean => re.op === Op.Literal || re.op === Op.CharClass || re.op === Op.AnyChar;
        if (r3.op === Op.AnyChar && single(r1)) {
          this.stacktop = r2;
          return;
        }
        if (r1.op === Op.AnyChar && single(r3)) {
          r1.down = r3.down;
          r2.down = r1;
          this.stacktop = r2;
          return;
        }
      }
      r1.down = r2.down;
      r2.down = r1;
      this.stacktop = r2;
      return;
    }
    this.pushSimpleOp(Op.VerticalBar);
  }

  doRightParen(whole: string): void {
    this.doAlternation();
    const r1 = this.stacktop;
    const r2 = r1?.down;
    if (!r1 || !r2 || r2.op !== Op.LeftParen) throw new Re2SyntaxError(E.unexpectedParen, whole);
    this.depth--;
    this.stacktop = r2.down;
    this.flags = r2.flags;
    let re: Regexp;
    if (r2.cap > 0) {
      re = Regexp.capture(finish(r1), r2.flags, r2.cap);
      re.name = r2.name;
      re.simple = computeSimple(re);
    } else {
      re = r1;
    }
    this.pushRegexp(re);
  }

  doFinish(whole: string): Regexp {
    this.doAlternation();
    const re = this.stacktop!;
    if (re.down !== null) throw new Re2SyntaxError(E.missingParen, whole);
    this.stacktop = null;
    return finish(re);
  }

  private doCollapse(op: number): void {
    let n = 0;
    let next: Regexp | null = null;
    let sub: Regexp | null;
    for (sub = this.stacktop; sub !== null && !isMarker(sub.op); sub = next) {
      next = sub.down;
      n += sub.op === op ? sub.subs.length : 1;
    }
    if (this.stacktop !== null && this.stacktop.down === next) return;
    const subs: Regexp[] = new Array<Regexp>(n);
    let i = n;
    for (sub = this.stacktop; sub !== null && !isMarker(sub.op); sub = next) {
      next = sub.down;
      if (sub.op === op) {
        for (let k = sub.subs.length - 1; k >= 0; k--) subs[--i] = sub.subs[k]!;
      } else {
        subs[--i] = finish(sub);
      }
    }
    let list = subs;
    if (op === Op.Alternate) list = factorAlternation(subs, this.flags);
    const re = Regexp.concatOrAlternate(op, list, this.flags);
    re.simple = computeSimple(re);
    re.down = next;
    this.stacktop = re;
  }

  private doConcatenation(): void {
    const r1 = this.stacktop;
    if (r1 === null || isMarker(r1.op)) this.pushRegexp(new Regexp(Op.EmptyMatch, this.flags));
    this.doCollapse(Op.Concat);
  }

  private doAlternation(): void {
    this.doVerticalBar();
    const r1 = this.stacktop!;
    this.stacktop = r1.down;
    this.doCollapse(Op.Alternate);
  }

  /** Joins the top two literals into a string; with r >= 0, reuses the top for r. */
  private maybeConcatString(r: number, flags: number): boolean {
    const re1 = this.stacktop;
    const re2 = re1?.down;
    if (!re1 || !re2) return false;
    if (re1.op !== Op.Literal && re1.op !== Op.LiteralString) return false;
    if (re2.op !== Op.Literal && re2.op !== Op.LiteralString) return false;
    if ((re1.flags & FOLD_CASE) !== (re2.flags & FOLD_CASE)) return false;
    if (re2.op === Op.Literal) {
      re2.op = Op.LiteralString;
      re2.runes = [re2.rune];
    }
    if (re1.op === Op.Literal) re2.runes.push(re1.rune);
    else {
      re2.runes.push(...re1.runes);
      re1.runes = [];
    }
    if (r >= 0) {
      re1.op = Op.Literal;
      re1.rune = r;
      re1.flags = flags;
      return true;
    }
    this.stacktop = re2;
    return false;
  }
}

/** A cursor over the pattern's code points. */
class Input {
  pos = 0;
  constructor(readonly cps: number[]) {}
  get rest(): number {
    return this.cps.length - this.pos;
  }
  at(i = 0): number | undefined {
    return this.cps[this.pos + i];
  }
  text(from: number, to = this.pos): string {
    return String.fromCodePoint(...this.cps.slice(from, to));
  }
  startsWith(s: string): boolean {
    return [...s].every((ch, i) => this.at(i) === ch.codePointAt(0));
  }
}

function parseInteger(s: Input): number | undefined {
  if (!isDigit(s.at())) return undefined;
  if (s.at() === 0x30 && isDigit(s.at(1))) return undefined;
  let n = 0;
  while (isDigit(s.at())) {
    if (n >= 100000000) return undefined;
    n = n * 10 + s.at()! - 0x30;
    s.pos++;
  }
  return n;
}

function maybeParseRepetition(s: Input): { lo: number; hi: number } | undefined {
  const save = s.pos;
  const fail = (): undefined => {
    s.pos = save;
    return undefined;
  };
  if (s.at() !== 0x7b) return fail();
  s.pos++;
  const lo = parseInteger(s);
  if (lo === undefined || s.rest === 0) return fail();
  let hi = lo;
  if (s.at() === 0x2c) {
    s.pos++;
    if (s.rest === 0) return fail();
    if (s.at() === 0x7d) hi = -1;
    else {
      const h = parseInteger(s);
      if (h === undefined) return fail();
      hi = h;
    }
  }
  if (s.at() !== 0x7d) return fail();
  s.pos++;
  return { lo, hi };
}

function parseEscape(s: Input): number {
  const begin = s.pos;
  if (s.rest === 1) throw new Re2SyntaxError(E.trailingBackslash, '');
  s.pos++;
  let c = s.at()!;
  s.pos++;
  const bad = (): Re2SyntaxError => new Re2SyntaxError(E.badEscape, s.text(begin));
  if (c >= 0x31 && c <= 0x37) {
    const d = s.at();
    if (d === undefined || d < 0x30 || d > 0x37) throw bad();
  }
  if (c >= 0x30 && c <= 0x37) {
    let code = c - 0x30;
    for (let k = 0; k < 2; k++) {
      const d = s.at();
      if (d === undefined || d < 0x30 || d > 0x37) break;
      code = code * 8 + d - 0x30;
      s.pos++;
    }
    return code;
  }
  switch (c) {
    case 0x78: {
      if (s.rest === 0) throw bad();
      c = s.at()!;
      s.pos++;
      if (c === 0x7b) {
        if (s.rest === 0) throw bad();
        c = s.at()!;
        s.pos++;
        let nhex = 0;
        let code = 0;
        while (isHex(c)) {
          nhex++;
          code = code * 16 + parseInt(String.fromCodePoint(c), 16);
          if (code > RUNE_MAX) throw bad();
          if (s.rest === 0) throw bad();
          c = s.at()!;
          s.pos++;
        }
        if (c !== 0x7d || nhex === 0) throw bad();
        return code;
      }
      if (s.rest === 0) throw bad();
      const c1 = s.at()!;
      s.pos++;
      if (!isHex(c) || !isHex(c1)) throw bad();
      return parseInt(String.fromCodePoint(c, c1), 16);
    }
    case 0x6e:
      return 10;
    case 0x72:
      return 13;
    case 0x74:
      return 9;
    case 0x61:
      return 7;
    case 0x66:
      return 12;
    case 0x76:
      return 11;
    default:
      if (c < 0x80 && !isAsciiAlnum(c)) return c;
      throw bad();
  }
}

function maybePerlGroup(s: Input, flags: number): Group | undefined {
  if (!(flags & PERL_CLASSES) || s.rest < 2 || s.at() !== 0x5c) return undefined;
  const g = PERL_GROUPS.get(s.text(s.pos, s.pos + 2));
  if (g) s.pos += 2;
  return g;
}

function refuseUnicodeGroup(s: Input): never {
  const letter = String.fromCodePoint(s.at(1)!);
  const brace = s.at(2) === 0x7b ? s.cps.indexOf(0x7d, s.pos) : -1;
  const shown = brace > 0 ? s.text(s.pos, brace + 1) : s.text(s.pos, Math.min(s.cps.length, s.pos + 3));
  throw new Re2Unsupported(`uses ${shown}: Unicode classes (\\${letter}) are not supported in path regexes`);
}

function parseCharClass(s: Input, flags: number): Regexp {
  const wholeStart = s.pos;
  const whole = (): string => s.text(wholeStart, s.cps.length);
  const re = freshClass(flags & ~FOLD_CASE);
  s.pos++;
  let negated = false;
  if (s.at() === 0x5e) {
    s.pos++;
    negated = true;
    if (!(flags & CLASS_NL) || flags & NEVER_NL) re.cc.addRange(10, 10);
  }
  let first = true;
  while (s.rest > 0 && (s.at() !== 0x5d || first)) {
    if (s.at() === 0x2d && !first && !(flags & PERL_X) && (s.rest === 1 || s.at(1) !== 0x5d)) {
      throw new Re2SyntaxError(E.badCharRange, s.text(s.pos, s.pos + 2));
    }
    first = false;
    if (s.rest > 2 && s.at() === 0x5b && s.at(1) === 0x3a) {
      const close = findPosixEnd(s);
      if (close >= 0) {
        const name = s.text(s.pos, close);
        const g = POSIX_GROUPS.get(name);
        if (!g) throw new Re2SyntaxError(E.badCharRange, name);
        s.pos = close;
        addGroup(re.cc, g, g.sign, flags);
        continue;
      }
    }
    if (s.rest > 2 && s.at() === 0x5c && (s.at(1) === 0x70 || s.at(1) === 0x50) && flags & UNICODE_GROUPS) refuseUnicodeGroup(s);
    const g = maybePerlGroup(s, flags);
    if (g) {
      addGroup(re.cc, g, g.sign, flags);
      continue;
    }
    const rangeStart = s.pos;
    const lo = parseClassChar(s, whole);
    let hi = lo;
    if (s.rest >= 2 && s.at() === 0x2d && s.at(1) !== 0x5d) {
      s.pos++;
      hi = parseClassChar(s, whole);
      if (hi < lo) throw new Re2SyntaxError(E.badCharRange, s.text(rangeStart));
    }
    addRangeFlags(re.cc, lo, hi, flags | CLASS_NL);
  }
  if (s.rest === 0) throw new Re2SyntaxError(E.missingBracket, whole());
  s.pos++;
  if (negated) re.cc.negate();
  return re;
}

/** Index just past the ":]" closing a "[:" at the cursor, or -1. */
function findPosixEnd(s: Input): number {
  for (let q = s.pos + 2; q + 1 < s.cps.length; q++) if (s.cps[q] === 0x3a && s.cps[q + 1] === 0x5d) return q + 2;
  return -1;
}

function parseClassChar(s: Input, whole: () => string): number {
  if (s.rest === 0) throw new Re2SyntaxError(E.missingBracket, whole());
  if (s.at() === 0x5c) return parseEscape(s);
  return s.cps[s.pos++]!;
}

const CAPTURE_NAME = /^[0-9A-Za-z_]+$/;

function parsePerlFlags(s: Input, ps: Parser): void {
  const start = s.pos;
  if (s.startsWith('(?P<')) {
    const end = s.cps.indexOf(0x3e, s.pos + 4);
    if (end < 0) throw new Re2SyntaxError(E.badNamedCapture, s.text(start, s.cps.length));
    const name = s.text(s.pos + 4, end);
    const capture = s.text(start, end + 1);
    if (name === '' || !CAPTURE_NAME.test(name)) {
      if (name !== '' && [...name].some((ch) => ch.codePointAt(0)! >= 0x80)) throw new Re2Unsupported(`the group name in ${capture} is not ASCII; use [0-9A-Za-z_] in group names`);
      throw new Re2SyntaxError(E.badNamedCapture, capture);
    }
    ps.doLeftParen(name);
    s.pos = end + 1;
    return;
  }
  if (s.startsWith('(?<') && s.at(3) !== 0x3d && s.at(3) !== 0x21) {
    // RE2 2023-06 and later read (?<name>...) as a named group; 2022 rejects it.
    throw new Re2Unsupported('uses (?<name>...), which only newer RE2 releases accept; write (?P<name>...)');
  }
  s.pos += 2;
  let negated = false;
  let sawFlags = false;
  let nflags = ps.currentFlags();
  const bad = (): Re2SyntaxError => new Re2SyntaxError(E.badPerlOp, s.text(start));
  for (;;) {
    if (s.rest === 0) throw bad();
    const c = s.cps[s.pos++]!;
    if (c === 0x69 || c === 0x6d || c === 0x73 || c === 0x55) {
      sawFlags = true;
      const bit = c === 0x69 ? FOLD_CASE : c === 0x6d ? ONE_LINE : c === 0x73 ? DOT_NL : NON_GREEDY;
      // m is the opposite of OneLine.
      const set = c === 0x6d ? negated : !negated;
      nflags = set ? nflags | bit : nflags & ~bit;
      continue;
    }
    if (c === 0x2d) {
      if (negated) throw bad();
      negated = true;
      sawFlags = false;
      continue;
    }
    if (c === 0x3a) {
      ps.doLeftParenNoCapture();
      break;
    }
    if (c === 0x29) break;
    throw bad();
  }
  if (negated && !sawFlags) throw bad();
  ps.setFlags(nflags);
}

function toCodePoints(pattern: string): number[] {
  const cps: number[] = [];
  for (const ch of pattern) {
    const cp = ch.codePointAt(0)!;
    if (cp >= 0xd800 && cp <= 0xdfff) throw new Re2SyntaxError(E.badUtf8, '');
    cps.push(cp);
  }
  return cps;
}

/**
 * After a repetition operator: Perl syntax reads a `?` (non-greedy) and refuses a repetition of a
 * repetition (`a**`), quoting both; `doubledFrom` is where the previous repetition began, if the
 * operator follows one. True when non-greedy.
 */
function repeatSuffix(s: Input, f: number, doubledFrom: number | undefined): boolean {
  if (!(f & PERL_X)) return false;
  const nongreedy = s.at() === 0x3f;
  if (nongreedy) s.pos++;
  if (doubledFrom !== undefined) throw new Re2SyntaxError(E.repeatOp, s.text(doubledFrom, s.pos));
  return nongreedy;
}

/** Parses `pattern` the way RE2 does with Envoy's options. */
export function parse(pattern: string, flags = DEFAULT_FLAGS): Parsed {
  const s = new Input(toCodePoints(pattern));
  const ps = new Parser(flags);
  let lastUnary = false;
  let lastUnaryFrom = 0;
  let unaryFrom = 0;
  while (s.rest > 0) {
    let isUnary = false;
    const c = s.at()!;
    const f = ps.currentFlags();
    switch (c) {
      case 0x28:
        if (f & PERL_X && s.at(1) === 0x3f) {
          parsePerlFlags(s, ps);
          break;
        }
        ps.doLeftParen(undefined);
        s.pos++;
        break;
      case 0x7c:
        ps.doVerticalBar();
        s.pos++;
        break;
      case 0x29:
        ps.doRightParen(pattern);
        s.pos++;
        break;
      case 0x5e:
        ps.pushCaret();
        s.pos++;
        break;
      case 0x24:
        ps.pushDollar();
        s.pos++;
        break;
      case 0x2e:
        ps.pushDot();
        s.pos++;
        break;
      case 0x5b:
        ps.pushRegexp(parseCharClass(s, f));
        break;
      case 0x2a:
      case 0x2b:
      case 0x3f: {
        const op = c === 0x2a ? Op.Star : c === 0x2b ? Op.Plus : Op.Quest;
        const from = s.pos;
        s.pos++;
        const nongreedy = repeatSuffix(s, f, lastUnary ? lastUnaryFrom : undefined);
        ps.pushRepeatOp(op, s.text(from), nongreedy);
        isUnary = true;
        unaryFrom = from;
        break;
      }
      case 0x7b: {
        const from = s.pos;
        const rep = maybeParseRepetition(s);
        if (!rep) {
          ps.pushLiteral(0x7b);
          s.pos++;
          break;
        }
        const nongreedy = repeatSuffix(s, f, lastUnary ? lastUnaryFrom : undefined);
        ps.pushRepetition(rep.lo, rep.hi, s.text(from), nongreedy);
        isUnary = true;
        unaryFrom = from;
        break;
      }
      case 0x5c: {
        const n = s.at(1);
        if (f & PERL_B && (n === 0x62 || n === 0x42)) {
          ps.pushSimpleOp(n === 0x62 ? Op.WordBoundary : Op.NoWordBoundary);
          s.pos += 2;
          break;
        }
        if (f & PERL_X && n !== undefined) {
          if (n === 0x41 || n === 0x7a || n === 0x43) {
            ps.pushSimpleOp(n === 0x41 ? Op.BeginText : n === 0x7a ? Op.EndText : Op.AnyByte);
            s.pos += 2;
            break;
          }
          if (n === 0x51) {
            s.pos += 2;
            while (s.rest > 0) {
              if (s.at() === 0x5c && s.at(1) === 0x45) {
                s.pos += 2;
                break;
              }
              ps.pushLiteral(s.cps[s.pos++]!);
            }
            break;
          }
        }
        if ((n === 0x70 || n === 0x50) && f & UNICODE_GROUPS) refuseUnicodeGroup(s);
        const g = maybePerlGroup(s, f);
        if (g) {
          const re = freshClass(f & ~FOLD_CASE);
          addGroup(re.cc, g, g.sign, f);
          ps.pushRegexp(re);
          break;
        }
        ps.pushLiteral(parseEscape(s));
        break;
      }
      default:
        ps.pushLiteral(c);
        s.pos++;
    }
    lastUnary = isUnary;
    lastUnaryFrom = unaryFrom;
  }
  return { re: ps.doFinish(pattern), captures: ps.captures };
}
