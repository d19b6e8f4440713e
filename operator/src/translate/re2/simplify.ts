// RE2's Simplify (re2/simplify.cc): runs of the same repeated atom coalesced (a*a+ -> a{1,}),
// then counted repetitions expanded into *, +, ? and copies, full and empty classes replaced.
// What comes out is exactly what the compiler sees. Nodes that do not change are returned as
// the same object, because RE2's rewrites depend on whether a child changed.
import { NON_GREEDY } from './char-class.js';
import { Op, Regexp, regexpEqual } from './regexp.js';
import { Re2Unsupported } from './refusal.js';

export function simplify(re: Regexp): Regexp {
  return simplifyNode(coalesce(re));
}

const isRepeatOp = (op: number): boolean => op === Op.Star || op === Op.Plus || op === Op.Quest || op === Op.Repeat;
const isAtom = (op: number): boolean => op === Op.Literal || op === Op.CharClass || op === Op.AnyChar || op === Op.AnyByte;

function sameArgs(re: Regexp, args: Regexp[]): boolean {
  return args.every((a, i) => a === re.subs[i]);
}

function rebuild(re: Regexp, args: Regexp[]): Regexp {
  const n = Regexp.withSubs(re.op, re.flags, args);
  n.min = re.min;
  n.max = re.max;
  n.cap = re.cap;
  n.name = re.name;
  return n;
}

function coalesce(re: Regexp): Regexp {
  if (re.subs.length === 0) return re;
  const args = re.subs.map(coalesce);
  if (re.op !== Op.Concat) return sameArgs(re, args) ? re : rebuild(re, args);
  let any = false;
  for (let i = 0; i + 1 < args.length; i++) if (canCoalesce(args[i]!, args[i + 1]!)) any = true;
  if (!any) return sameArgs(re, args) ? re : rebuild(re, args);
  for (let i = 0; i + 1 < args.length; i++) {
    if (canCoalesce(args[i]!, args[i + 1]!)) {
      const [a, b] = doCoalesce(args[i]!, args[i + 1]!);
      args[i] = a;
      args[i + 1] = b;
    }
  }
  return Regexp.withSubs(re.op, re.flags, args.filter((a) => a.op !== Op.EmptyMatch));
}

function canCoalesce(r1: Regexp, r2: Regexp): boolean {
  if (!isRepeatOp(r1.op) || !isAtom(r1.subs[0]!.op)) return false;
  const atom = r1.subs[0]!;
  if (isRepeatOp(r2.op) && regexpEqual(atom, r2.subs[0]!) && (r1.flags & NON_GREEDY) === (r2.flags & NON_GREEDY)) return true;
  if (regexpEqual(atom, r2)) return true;
  return atom.op === Op.Literal && r2.op === Op.LiteralString && r2.runes[0] === atom.rune && ((atom.flags ^ r2.flags) & 1) === 0;
}

function doCoalesce(r1: Regexp, r2: Regexp): [Regexp, Regexp] {
  const atom = r1.subs[0]!;
  const n = Regexp.repeat(atom, r1.flags, 0, 0);
  switch (r1.op) {
    case Op.Star:
      [n.min, n.max] = [0, -1];
      break;
    case Op.Plus:
      [n.min, n.max] = [1, -1];
      break;
    case Op.Quest:
      [n.min, n.max] = [0, 1];
      break;
    default:
      [n.min, n.max] = [r1.min, r1.max];
  }
  const empty = (): [Regexp, Regexp] => [new Regexp(Op.EmptyMatch, 0), n];
  switch (r2.op) {
    case Op.Star:
      n.max = -1;
      return empty();
    case Op.Plus:
      n.min++;
      n.max = -1;
      return empty();
    case Op.Quest:
      if (n.max !== -1) n.max++;
      return empty();
    case Op.Repeat:
      n.min += r2.min;
      if (r2.max === -1) n.max = -1;
      else if (n.max !== -1) n.max += r2.max;
      return empty();
    case Op.LiteralString: {
      let k = 1;
      while (k < r2.runes.length && r2.runes[k] === atom.rune) k++;
      n.min += k;
      if (n.max !== -1) n.max += k;
      if (k === r2.runes.length) return empty();
      return [n, Regexp.literalString(r2.runes.slice(k), r2.flags)];
    }
    default:
      n.min++;
      if (n.max !== -1) n.max++;
      return empty();
  }
}

const EMPTY_WIDTH = new Set<number>([Op.BeginLine, Op.EndLine, Op.WordBoundary, Op.NoWordBoundary, Op.BeginText, Op.EndText]);

function simplifyNode(re: Regexp): Regexp {
  switch (re.op) {
    case Op.Concat:
    case Op.Alternate: {
      const args = re.subs.map(simplifyNode);
      return sameArgs(re, args) ? re : Regexp.withSubs(re.op, re.flags, args);
    }
    case Op.Capture: {
      const sub = simplifyNode(re.subs[0]!);
      return sub === re.subs[0] ? re : Regexp.capture(sub, re.flags, re.cap);
    }
    case Op.Star:
    case Op.Plus:
    case Op.Quest: {
      const sub = simplifyNode(re.subs[0]!);
      if (sub.op === Op.EmptyMatch) return sub;
      if (sub === re.subs[0]) return re;
      if (re.op === sub.op && re.flags === sub.flags) return sub;
      return Regexp.withSubs(re.op, re.flags, [sub]);
    }
    case Op.Repeat: {
      const sub = simplifyNode(re.subs[0]!);
      if (sub.op === Op.EmptyMatch) return sub;
      return simplifyRepeat(sub, re.min, re.max, re.flags);
    }
    case Op.CharClass:
      if (re.cc.isEmpty()) return new Regexp(Op.NoMatch, re.flags);
      if (re.cc.isFull()) return new Regexp(Op.AnyChar, re.flags);
      return re;
    default:
      return re;
  }
}

function simplifyRepeat(re: Regexp, min: number, max: number, f: number): Regexp {
  const emptyWidth = EMPTY_WIDTH.has(re.op) || ((re.op === Op.Concat || re.op === Op.Alternate) && re.subs.every((s) => EMPTY_WIDTH.has(s.op)));
  if (emptyWidth && (min > 1 || max > 1)) {
    // RE2 2023-03 and later cap these at one copy (upstream e6646331); 2022 expands them.
    throw new Re2Unsupported('repeats an empty-width assertion (such as ^, $ or \\b) more than once, which RE2 releases size differently');
  }
  if (max === -1) {
    if (min === 0) return Regexp.starPlusOrQuest(Op.Star, re, f);
    if (min === 1) return Regexp.starPlusOrQuest(Op.Plus, re, f);
    const subs: Regexp[] = Array.from({ length: min - 1 }, () => re);
    subs.push(Regexp.starPlusOrQuest(Op.Plus, re, f));
    return Regexp.concatOrAlternate(Op.Concat, subs, f);
  }
  if (min === 0 && max === 0) return new Regexp(Op.EmptyMatch, f);
  if (min === 1 && max === 1) return re;
  let n: Regexp | null = null;
  if (min > 0) n = Regexp.concatOrAlternate(Op.Concat, Array.from({ length: min }, () => re), f);
  if (max > min) {
    let suffix = Regexp.starPlusOrQuest(Op.Quest, re, f);
    for (let i = min + 1; i < max; i++) suffix = Regexp.starPlusOrQuest(Op.Quest, Regexp.withSubs(Op.Concat, f, [re, suffix]), f);
    n = n === null ? suffix : Regexp.withSubs(Op.Concat, f, [n, suffix]);
  }
  return n ?? new Regexp(Op.NoMatch, f);
}
