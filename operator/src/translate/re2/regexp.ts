// The parsed-regexp tree RE2 works on between parsing and compiling, with the constructors whose
// small rewrites (x** to x*, one-element concatenations) change what gets compiled, and RE2's
// structural equality, which factoring and coalescing rely on.
import { CharClass, FOLD_CASE, NON_GREEDY, WAS_DOLLAR } from './char-class.js';
import { Re2Unsupported } from './refusal.js';

export const Op = {
  NoMatch: 1,
  EmptyMatch: 2,
  Literal: 3,
  LiteralString: 4,
  Concat: 5,
  Alternate: 6,
  Star: 7,
  Plus: 8,
  Quest: 9,
  Repeat: 10,
  Capture: 11,
  AnyChar: 12,
  AnyByte: 13,
  BeginLine: 14,
  EndLine: 15,
  WordBoundary: 16,
  NoWordBoundary: 17,
  BeginText: 18,
  EndText: 19,
  CharClass: 20,
  // Parser stack markers only.
  LeftParen: 21,
  VerticalBar: 22,
} as const;

const MAX_NSUB = 0xffff;

export class Regexp {
  subs: Regexp[] = [];
  rune = 0;
  runes: number[] = [];
  min = 0;
  max = 0;
  cap = 0;
  name: string | undefined;
  cc: CharClass = EMPTY_CLASS;
  simple = false;
  /** A class still being built by the parser (RE2's ccb_), which PushRegexp may turn into a literal. */
  fresh = false;
  /** Next element down the parser's stack. */
  down: Regexp | null = null;

  constructor(
    public op: number,
    public flags: number,
  ) {}

  static literal(rune: number, flags: number): Regexp {
    const re = new Regexp(Op.Literal, flags);
    re.rune = rune;
    return re;
  }

  static literalString(runes: readonly number[], flags: number): Regexp {
    if (runes.length === 0) return new Regexp(Op.EmptyMatch, flags);
    if (runes.length === 1) return Regexp.literal(runes[0]!, flags);
    const re = new Regexp(Op.LiteralString, flags);
    re.runes = [...runes];
    return re;
  }

  static charClass(cc: CharClass, flags: number): Regexp {
    const re = new Regexp(Op.CharClass, flags);
    re.cc = cc;
    return re;
  }

  static withSubs(op: number, flags: number, subs: Regexp[]): Regexp {
    const re = new Regexp(op, flags);
    re.subs = subs;
    return re;
  }

  static capture(sub: Regexp, flags: number, cap: number): Regexp {
    const re = Regexp.withSubs(Op.Capture, flags, [sub]);
    re.cap = cap;
    return re;
  }

  static repeat(sub: Regexp, flags: number, min: number, max: number): Regexp {
    const re = Regexp.withSubs(Op.Repeat, flags, [sub]);
    re.min = min;
    re.max = max;
    return re;
  }

  /** RE2's Star/Plus/Quest constructors: x** is x*, and x*+, x+?, ... are x*. */
  static starPlusOrQuest(op: number, sub: Regexp, flags: number): Regexp {
    if (op === sub.op && flags === sub.flags) return sub;
    if ((sub.op === Op.Star || sub.op === Op.Plus || sub.op === Op.Quest) && flags === sub.flags) {
      if (sub.op === Op.Star) return sub;
      return Regexp.withSubs(Op.Star, flags, [sub.subs[0]!]);
    }
    return Regexp.withSubs(op, flags, [sub]);
  }

  /** RE2's Concat and AlternateNoFactor: none is empty (or no match), one is itself. */
  static concatOrAlternate(op: number, subs: Regexp[], flags: number): Regexp {
    if (subs.length === 1) return subs[0]!;
    if (subs.length === 0) return new Regexp(op === Op.Alternate ? Op.NoMatch : Op.EmptyMatch, flags);
    if (subs.length > MAX_NSUB) throw new Re2Unsupported(`has more than ${MAX_NSUB} pieces in one sequence or alternation`);
    return Regexp.withSubs(op, flags, [...subs]);
  }

  /** Replaces this node's contents with that's (RE2's Swap, one direction is enough here). */
  assign(that: Regexp): void {
    Object.assign(this, { ...that, down: this.down });
  }
}

const EMPTY_CLASS = new CharClass();

function topEqual(a: Regexp, b: Regexp): boolean {
  if (a.op !== b.op) return false;
  switch (a.op) {
    case Op.EndText:
      return ((a.flags ^ b.flags) & WAS_DOLLAR) === 0;
    case Op.Literal:
      return a.rune === b.rune && ((a.flags ^ b.flags) & FOLD_CASE) === 0;
    case Op.LiteralString:
      return ((a.flags ^ b.flags) & FOLD_CASE) === 0 && a.runes.length === b.runes.length && a.runes.every((r, i) => r === b.runes[i]);
    case Op.Alternate:
    case Op.Concat:
      return a.subs.length === b.subs.length;
    case Op.Star:
    case Op.Plus:
    case Op.Quest:
      return ((a.flags ^ b.flags) & NON_GREEDY) === 0;
    case Op.Repeat:
      return ((a.flags ^ b.flags) & NON_GREEDY) === 0 && a.min === b.min && a.max === b.max;
    case Op.Capture:
      // RE2 2022 compares names by pointer, so two named groups are never equal.
      return a.cap === b.cap && a.name === undefined && b.name === undefined;
    case Op.CharClass:
      return a.cc.equals(b.cc);
    default:
      return true;
  }
}

/** RE2's Regexp::Equal: same structure, same flags where they matter. */
export function regexpEqual(a: Regexp | null, b: Regexp | null): boolean {
  if (a === null || b === null) return a === b;
  if (!topEqual(a, b)) return false;
  return a.subs.every((s, i) => regexpEqual(s, b.subs[i]!));
}
