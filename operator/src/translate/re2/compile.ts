// RE2's compiler (re2/compile.cc) for forward, UTF-8 programs: Thompson fragments with RE2's
// patch lists and no-op elision, character classes turned into byte-range tries with its
// suffix cache, anchors stripped into program flags, and the `.*?` loop that makes the program
// unanchored. Instruction numbering follows RE2's, because Flatten's result depends on it.
import { FOLD_CASE, NON_GREEDY, RUNE_MAX } from './char-class.js';
import { Op, Regexp } from './regexp.js';
import { Re2TooLarge } from './refusal.js';

export const Inst = {
  Alt: 0,
  AltMatch: 1,
  ByteRange: 2,
  Capture: 3,
  EmptyWidth: 4,
  Match: 5,
  Nop: 6,
  Fail: 7,
} as const;

export interface Instruction {
  op: number;
  out: number;
  out1: number;
  lo: number;
  hi: number;
  fold: boolean;
}

export interface Program {
  inst: Instruction[];
  start: number;
  startUnanchored: number;
}

/** The most instructions Portico builds before giving up; RE2's own cap is far higher. */
const MAX_INST = 200_000;

interface PatchList {
  head: number;
  tail: number;
}

interface Frag {
  begin: number;
  end: PatchList;
  nullable: boolean;
}

const NULL_PATCH: PatchList = { head: 0, tail: 0 };
const mk = (p: number): PatchList => ({ head: p, tail: p });
const noMatch = (): Frag => ({ begin: 0, end: NULL_PATCH, nullable: false });
const isNoMatch = (f: Frag): boolean => f.begin === 0;

class Compiler {
  readonly inst: Instruction[] = [];
  private runeCache = new Map<number, number>();
  private runeRange: Frag = noMatch();

  constructor() {
    this.alloc(Inst.Fail);
  }

  private alloc(op: number, out = 0, out1 = 0, lo = 0, hi = 0, fold = false): number {
    if (this.inst.length >= MAX_INST) throw new Re2TooLarge(`more than ${MAX_INST} instructions`);
    this.inst.push({ op, out, out1, lo, hi, fold });
    return this.inst.length - 1;
  }

  private at(id: number): Instruction {
    return this.inst[id]!;
  }

  private patch(l: PatchList, p: number): void {
    let head = l.head;
    while (head !== 0) {
      const ip = this.at(head >> 1);
      if (head & 1) {
        head = ip.out1;
        ip.out1 = p;
      } else {
        head = ip.out;
        ip.out = p;
      }
    }
  }

  private append(l1: PatchList, l2: PatchList): PatchList {
    if (l1.head === 0) return l2;
    if (l2.head === 0) return l1;
    const ip = this.at(l1.tail >> 1);
    if (l1.tail & 1) ip.out1 = l2.head;
    else ip.out = l2.head;
    return { head: l1.head, tail: l2.tail };
  }

  cat(a: Frag, b: Frag): Frag {
    if (isNoMatch(a) || isNoMatch(b)) return noMatch();
    const begin = this.at(a.begin);
    if (begin.op === Inst.Nop && a.end.head === a.begin << 1 && begin.out === 0) {
      this.patch(a.end, b.begin);
      return b;
    }
    this.patch(a.end, b.begin);
    return { begin: a.begin, end: b.end, nullable: a.nullable && b.nullable };
  }

  private alt(a: Frag, b: Frag): Frag {
    if (isNoMatch(a)) return b;
    if (isNoMatch(b)) return a;
    const id = this.alloc(Inst.Alt, a.begin, b.begin);
    return { begin: id, end: this.append(a.end, b.end), nullable: a.nullable || b.nullable };
  }

  private loopAlt(a: Frag, nongreedy: boolean): { id: number; pl: PatchList } {
    const id = nongreedy ? this.alloc(Inst.Alt, 0, a.begin) : this.alloc(Inst.Alt, a.begin, 0);
    return { id, pl: mk(nongreedy ? id << 1 : (id << 1) | 1) };
  }

  private plus(a: Frag, nongreedy: boolean): Frag {
    const { id, pl } = this.loopAlt(a, nongreedy);
    this.patch(a.end, id);
    return { begin: a.begin, end: pl, nullable: a.nullable };
  }

  star(a: Frag, nongreedy: boolean): Frag {
    if (a.nullable) return this.quest(this.plus(a, nongreedy), nongreedy);
    const { id, pl } = this.loopAlt(a, nongreedy);
    this.patch(a.end, id);
    return { begin: id, end: pl, nullable: true };
  }

  private quest(a: Frag, nongreedy: boolean): Frag {
    if (isNoMatch(a)) return this.nop();
    const { id, pl } = this.loopAlt(a, nongreedy);
    return { begin: id, end: this.append(pl, a.end), nullable: true };
  }

  byteRange(lo: number, hi: number, fold: boolean): Frag {
    const id = this.alloc(Inst.ByteRange, 0, 0, lo, hi, fold);
    return { begin: id, end: mk(id << 1), nullable: false };
  }

  private nop(): Frag {
    const id = this.alloc(Inst.Nop);
    return { begin: id, end: mk(id << 1), nullable: true };
  }

  match(): Frag {
    return { begin: this.alloc(Inst.Match), end: NULL_PATCH, nullable: false };
  }

  private emptyWidth(): Frag {
    const id = this.alloc(Inst.EmptyWidth);
    return { begin: id, end: mk(id << 1), nullable: true };
  }

  private capture(a: Frag): Frag {
    if (isNoMatch(a)) return noMatch();
    const id = this.alloc(Inst.Capture, a.begin);
    this.alloc(Inst.Capture);
    this.patch(a.end, id + 1);
    return { begin: id, end: mk((id + 1) << 1), nullable: a.nullable };
  }

  // Rune ranges to UTF-8 byte-range tries.

  private beginRange(): void {
    this.runeCache.clear();
    this.runeRange = noMatch();
  }

  private uncachedSuffix(lo: number, hi: number, fold: boolean, next: number): number {
    const f = this.byteRange(lo, hi, fold);
    if (next !== 0) this.patch(f.end, next);
    else this.runeRange.end = this.append(this.runeRange.end, f.end);
    return f.begin;
  }

  private static key(lo: number, hi: number, fold: boolean, next: number): number {
    return next * 131072 + lo * 512 + hi * 2 + (fold ? 1 : 0);
  }

  private cachedSuffix(lo: number, hi: number, fold: boolean, next: number): number {
    const key = Compiler.key(lo, hi, fold, next);
    const hit = this.runeCache.get(key);
    if (hit !== undefined) return hit;
    const id = this.uncachedSuffix(lo, hi, fold, next);
    this.runeCache.set(key, id);
    return id;
  }

  private isCached(id: number): boolean {
    const ip = this.at(id);
    return this.runeCache.has(Compiler.key(ip.lo, ip.hi, ip.fold, ip.out));
  }

  private addSuffix(id: number): void {
    if (this.runeRange.begin === 0) {
      this.runeRange.begin = id;
      return;
    }
    this.runeRange.begin = this.addSuffixRecursive(this.runeRange.begin, id);
  }

  private sameRange(a: number, b: number): boolean {
    const x = this.at(a);
    const y = this.at(b);
    return x.lo === y.lo && x.hi === y.hi && x.fold === y.fold;
  }

  /** Where the trie rooted at root already has id's leading byte range, if it does. */
  private findByteRange(root: number, id: number): { at: number; slot: 'root' | 'out' | 'out1' } | undefined {
    const r = this.at(root);
    if (r.op === Inst.ByteRange) return this.sameRange(root, id) ? { at: root, slot: 'root' } : undefined;
    // Forward programs: classes arrive sorted, so only the latest branch can share a prefix.
    if (r.op === Inst.Alt && this.sameRange(r.out1, id)) return { at: root, slot: 'out1' };
    return undefined;
  }

  private addSuffixRecursive(root: number, id: number): number {
    const found = this.findByteRange(root, id);
    if (!found) return this.alloc(Inst.Alt, root, id);
    let br = found.slot === 'root' ? root : found.slot === 'out1' ? this.at(found.at).out1 : this.at(found.at).out;
    if (this.isCached(br)) {
      const old = this.at(br);
      br = this.alloc(Inst.ByteRange, old.out, 0, old.lo, old.hi, old.fold);
      if (found.slot === 'root') root = br;
      else if (found.slot === 'out1') this.at(found.at).out1 = br;
      else this.at(found.at).out = br;
    }
    const out = this.at(id).out;
    if (!this.isCached(id)) {
      // id is the instruction just allocated: give it back rather than leave it unreachable.
      this.inst.pop();
    }
    this.at(br).out = this.addSuffixRecursive(this.at(br).out, out);
    return root;
  }

  private add80To10FFFF(): void {
    const cont1 = this.uncachedSuffix(0x80, 0xbf, false, 0);
    this.addSuffix(this.uncachedSuffix(0xc2, 0xdf, false, cont1));
    const cont2 = this.uncachedSuffix(0x80, 0xbf, false, cont1);
    this.addSuffix(this.uncachedSuffix(0xe0, 0xef, false, cont2));
    const cont3 = this.uncachedSuffix(0x80, 0xbf, false, cont2);
    this.addSuffix(this.uncachedSuffix(0xf0, 0xf4, false, cont3));
  }

  private addRuneRange(lo: number, hi: number, fold: boolean): void {
    if (lo > hi) return;
    if (lo === 0x80 && hi === 0x10ffff) {
      this.add80To10FFFF();
      return;
    }
    for (const max of [0x7f, 0x7ff, 0xffff]) {
      if (lo <= max && max < hi) {
        this.addRuneRange(lo, max, fold);
        this.addRuneRange(max + 1, hi, fold);
        return;
      }
    }
    if (hi < 0x80) {
      this.addSuffix(this.uncachedSuffix(lo, hi, fold, 0));
      return;
    }
    for (let i = 1; i < 4; i++) {
      const m = (1 << (6 * i)) - 1;
      if ((lo & ~m) !== (hi & ~m)) {
        if ((lo & m) !== 0) {
          this.addRuneRange(lo, lo | m, fold);
          this.addRuneRange((lo | m) + 1, hi, fold);
          return;
        }
        if ((hi & m) !== m) {
          this.addRuneRange(lo, (hi & ~m) - 1, fold);
          this.addRuneRange(hi & ~m, hi, fold);
          return;
        }
      }
    }
    const ulo = utf8(lo);
    const uhi = utf8(hi);
    const n = ulo.length;
    let id = 0;
    for (let i = n - 1; i >= 0; i--) {
      // Cache the last continuation byte, and ranges between the first and last.
      if (i === n - 1 || (ulo[i]! < uhi[i]! && i !== 0)) id = this.cachedSuffix(ulo[i]!, uhi[i]!, false, id);
      else id = this.uncachedSuffix(ulo[i]!, uhi[i]!, false, id);
    }
    this.addSuffix(id);
  }

  private literal(r: number, fold: boolean): Frag {
    if (r < 0x80) return this.byteRange(r, r, fold);
    const bytes = utf8(r);
    let f = this.byteRange(bytes[0]!, bytes[0]!, false);
    for (let i = 1; i < bytes.length; i++) f = this.cat(f, this.byteRange(bytes[i]!, bytes[i]!, false));
    return f;
  }

  walk(re: Regexp): Frag {
    const kids = re.op === Op.Repeat ? [] : re.subs.map((s) => this.walk(s));
    const nongreedy = (re.flags & NON_GREEDY) !== 0;
    switch (re.op) {
      case Op.NoMatch:
        return noMatch();
      case Op.EmptyMatch:
        return this.nop();
      case Op.Concat:
        return kids.slice(1).reduce((f, k) => this.cat(f, k), kids[0]!);
      case Op.Alternate:
        return kids.slice(1).reduce((f, k) => this.alt(f, k), kids[0]!);
      case Op.Star:
        return this.star(kids[0]!, nongreedy);
      case Op.Plus:
        return this.plus(kids[0]!, nongreedy);
      case Op.Quest:
        return this.quest(kids[0]!, nongreedy);
      case Op.Literal:
        return this.literal(re.rune, (re.flags & FOLD_CASE) !== 0);
      case Op.LiteralString: {
        if (re.runes.length === 0) return this.nop();
        let f = noMatch();
        re.runes.forEach((r, i) => {
          const f1 = this.literal(r, (re.flags & FOLD_CASE) !== 0);
          f = i === 0 ? f1 : this.cat(f, f1);
        });
        return f;
      }
      case Op.AnyChar:
        this.beginRange();
        this.addRuneRange(0, RUNE_MAX, false);
        return this.runeRange;
      case Op.AnyByte:
        return this.byteRange(0, 0xff, false);
      case Op.CharClass: {
        const foldAscii = re.cc.foldsAscii();
        this.beginRange();
        for (const { lo, hi } of re.cc.ranges) {
          if (foldAscii && 0x41 <= lo && hi <= 0x5a) continue;
          let fold = foldAscii;
          if ((lo <= 0x41 && 0x7a <= hi) || hi < 0x41 || 0x7a < lo || (0x5a < lo && hi < 0x61)) fold = false;
          this.addRuneRange(lo, hi, fold);
        }
        return this.runeRange;
      }
      case Op.Capture:
        return re.cap < 0 ? kids[0]! : this.capture(kids[0]!);
      case Op.BeginLine:
      case Op.EndLine:
      case Op.BeginText:
      case Op.EndText:
      case Op.WordBoundary:
      case Op.NoWordBoundary:
        return this.emptyWidth();
      default:
        throw new Error(`re2 compile: unexpected op ${re.op}`);
    }
  }
}

/** UTF-8 bytes of r as RE2's runetochar writes them (surrogate code points included). */
function utf8(r: number): number[] {
  if (r < 0x80) return [r];
  if (r < 0x800) return [0xc0 | (r >> 6), 0x80 | (r & 0x3f)];
  if (r < 0x10000) return [0xe0 | (r >> 12), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f)];
  return [0xf0 | (r >> 18), 0x80 | ((r >> 12) & 0x3f), 0x80 | ((r >> 6) & 0x3f), 0x80 | (r & 0x3f)];
}

/** Removes a leading \A (through concatenations and groups, three deep), as RE2 does. */
function stripAnchorStart(re: Regexp, depth = 0): Regexp | undefined {
  if (depth >= 4) return undefined;
  if (re.op === Op.Concat && re.subs.length > 0) {
    const sub = stripAnchorStart(re.subs[0]!, depth + 1);
    return sub && Regexp.concatOrAlternate(Op.Concat, [sub, ...re.subs.slice(1)], re.flags);
  }
  if (re.op === Op.Capture) {
    const sub = stripAnchorStart(re.subs[0]!, depth + 1);
    return sub && Regexp.capture(sub, re.flags, re.cap);
  }
  return re.op === Op.BeginText ? Regexp.literalString([], re.flags) : undefined;
}

function stripAnchorEnd(re: Regexp, depth = 0): Regexp | undefined {
  if (depth >= 4) return undefined;
  if (re.op === Op.Concat && re.subs.length > 0) {
    const sub = stripAnchorEnd(re.subs[re.subs.length - 1]!, depth + 1);
    return sub && Regexp.concatOrAlternate(Op.Concat, [...re.subs.slice(0, -1), sub], re.flags);
  }
  if (re.op === Op.Capture) {
    const sub = stripAnchorEnd(re.subs[0]!, depth + 1);
    return sub && Regexp.capture(sub, re.flags, re.cap);
  }
  return re.op === Op.EndText ? Regexp.literalString([], re.flags) : undefined;
}

/** Compiles an already simplified regexp to RE2's (not yet optimized) program. */
export function compile(simplified: Regexp): Program {
  let re = simplified;
  const start = stripAnchorStart(re);
  if (start) re = start;
  const anchorStart = start !== undefined;
  const end = stripAnchorEnd(re);
  if (end) re = end;
  const c = new Compiler();
  let all = c.walk(re);
  all = c.cat(all, c.match());
  const startId = all.begin;
  if (!anchorStart) all = c.cat(c.star(c.byteRange(0, 0xff, false), true), all);
  const program: Program = { inst: c.inst, start: startId, startUnanchored: all.begin };
  if (program.start === 0 && program.startUnanchored === 0) program.inst.length = 1;
  return program;
}
