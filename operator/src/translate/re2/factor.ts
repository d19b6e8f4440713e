// RE2's factoring of alternations at parse time (abc|abd -> ab[cd]): common literal prefixes,
// then common simple leading pieces, then runs of literals and classes merged into one class.
// It changes the shape, and so the size, of what is compiled.
import { CharClass, FOLD_CASE, addRangeFlags } from './char-class.js';
import { Op, Regexp, regexpEqual } from './regexp.js';
import { Re2Unsupported } from './refusal.js';

interface Splice {
  prefix: Regexp;
  start: number;
  count: number;
  suffixes: Regexp[];
}

/** Factors `subs` (edited in place where RE2 edits in place) and returns the new list. */
export function factorAlternation(subs: Regexp[], flags: number): Regexp[] {
  let list = subs;
  for (const round of [literalPrefixes, leadingPieces]) {
    const splices = round(list);
    for (const s of splices) s.suffixes = factorAlternation(list.slice(s.start, s.start + s.count), flags);
    list = apply(list, splices, (s) => Regexp.concatOrAlternate(Op.Concat, [s.prefix, Regexp.concatOrAlternate(Op.Alternate, s.suffixes, flags)], flags));
  }
  return apply(list, mergedClasses(list, flags), (s) => s.prefix);
}

function apply(list: Regexp[], splices: Splice[], build: (s: Splice) => Regexp): Regexp[] {
  if (splices.length === 0) return list;
  const out: Regexp[] = [];
  let i = 0;
  for (const s of splices) {
    while (i < s.start) out.push(list[i++]!);
    out.push(build(s));
    i += s.count;
  }
  while (i < list.length) out.push(list[i++]!);
  return out;
}

/** The literal runes re begins with, and whether they fold case. */
function leadingString(re: Regexp): { runes: number[]; fold: number } {
  while (re.op === Op.Concat && re.subs.length > 0) re = re.subs[0]!;
  const fold = re.flags & FOLD_CASE;
  if (re.op === Op.Literal) return { runes: [re.rune], fold };
  if (re.op === Op.LiteralString) return { runes: re.runes, fold };
  return { runes: [], fold };
}

function removeLeadingString(re: Regexp, n: number): void {
  const stack: Regexp[] = [];
  while (re.op === Op.Concat) {
    if (stack.length < 4) stack.push(re);
    re = re.subs[0]!;
  }
  if (re.op === Op.Literal) {
    re.rune = 0;
    re.op = Op.EmptyMatch;
  } else if (re.op === Op.LiteralString) {
    if (n >= re.runes.length) {
      re.runes = [];
      re.op = Op.EmptyMatch;
    } else if (n === re.runes.length - 1) {
      re.rune = re.runes[re.runes.length - 1]!;
      re.runes = [];
      re.op = Op.Literal;
    } else {
      re.runes = re.runes.slice(n);
    }
  }
  while (stack.length > 0) {
    const c = stack.pop()!;
    if (c.subs[0]!.op !== Op.EmptyMatch) continue;
    if (c.subs.length === 2) c.assign(c.subs[1]!);
    else c.subs = c.subs.slice(1);
  }
}

function literalPrefixes(list: Regexp[]): Splice[] {
  const splices: Splice[] = [];
  let start = 0;
  let runes: number[] = [];
  let fold = 0;
  for (let i = 0; i <= list.length; i++) {
    let next: { runes: number[]; fold: number } | undefined;
    if (i < list.length) {
      next = leadingString(list[i]!);
      if (next.fold === fold) {
        let same = 0;
        while (same < runes.length && same < next.runes.length && runes[same] === next.runes[same]) same++;
        if (same > 0) {
          runes = runes.slice(0, same);
          continue;
        }
      }
    }
    if (i - start >= 2) {
      const prefix = Regexp.literalString(runes, fold);
      for (let j = start; j < i; j++) removeLeadingString(list[j]!, runes.length);
      splices.push({ prefix, start, count: i - start, suffixes: [] });
    }
    if (next) {
      start = i;
      runes = [...next.runes];
      fold = next.fold;
    }
  }
  return splices;
}

function leadingRegexp(re: Regexp): Regexp | null {
  if (re.op === Op.EmptyMatch) return null;
  if (re.op === Op.Concat && re.subs.length >= 2) return re.subs[0]!.op === Op.EmptyMatch ? null : re.subs[0]!;
  return re;
}

function removeLeadingRegexp(re: Regexp): Regexp {
  if (re.op === Op.EmptyMatch) return re;
  if (re.op === Op.Concat && re.subs.length >= 2) {
    if (re.subs[0]!.op === Op.EmptyMatch) return re;
    if (re.subs.length === 2) return re.subs[1]!;
    re.subs = re.subs.slice(1);
    return re;
  }
  return new Regexp(Op.EmptyMatch, re.flags);
}

const isSingle = (op: number): boolean => op === Op.Literal || op === Op.CharClass || op === Op.AnyChar || op === Op.AnyByte;

function factorable(first: Regexp): boolean {
  switch (first.op) {
    case Op.BeginLine:
    case Op.EndLine:
    case Op.WordBoundary:
    case Op.NoWordBoundary:
    case Op.BeginText:
    case Op.EndText:
    case Op.CharClass:
    case Op.AnyChar:
    case Op.AnyByte:
      return true;
    case Op.Repeat:
      return first.min === first.max && isSingle(first.subs[0]!.op);
    default:
      return false;
  }
}

function leadingPieces(list: Regexp[]): Splice[] {
  const splices: Splice[] = [];
  let start = 0;
  let first: Regexp | null = null;
  for (let i = 0; i <= list.length; i++) {
    let next: Regexp | null = null;
    if (i < list.length) {
      next = leadingRegexp(list[i]!);
      if (first !== null && factorable(first) && regexpEqual(first, next)) continue;
    }
    if (i - start >= 2) {
      const prefix = first!;
      for (let j = start; j < i; j++) list[j] = removeLeadingRegexp(list[j]!);
      splices.push({ prefix, start, count: i - start, suffixes: [] });
    }
    if (i < list.length) {
      start = i;
      first = next;
    }
  }
  return splices;
}

function mergedClasses(list: Regexp[], flags: number): Splice[] {
  const splices: Splice[] = [];
  const isPiece = (re: Regexp): boolean => re.op === Op.Literal || re.op === Op.CharClass;
  let start = 0;
  for (let i = 0; i <= list.length; i++) {
    if (i < list.length && i > start && isPiece(list[start]!) && isPiece(list[i]!)) continue;
    if (i - start >= 2) {
      // RE2 before 2023-12 stops folding a literal early when the rune is already in the class
      // (fixed upstream in 9d0b5bf); refuse when the two releases would build different classes.
      const cc = new CharClass();
      const fixed = new CharClass();
      for (let j = start; j < i; j++) {
        const re = list[j]!;
        if (re.op === Op.CharClass) {
          cc.addClass(re.cc);
          fixed.addClass(re.cc);
        } else {
          addRangeFlags(cc, re.rune, re.rune, re.flags);
          const one = new CharClass();
          addRangeFlags(one, re.rune, re.rune, re.flags);
          fixed.addClass(one);
        }
      }
      if (!cc.equals(fixed)) throw new Re2Unsupported('this alternation of case-insensitive and case-sensitive letters is sized differently by RE2 releases before and after 2023-12');
      splices.push({ prefix: Regexp.charClass(cc, flags), start, count: i - start, suffixes: [] });
    }
    if (i < list.length) start = i;
  }
  return splices;
}
