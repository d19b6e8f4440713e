// RE2's Prog::Optimize and Prog::Flatten (re2/prog.cc). RE2::ProgramSize() is the instruction
// count after Flatten, which regroups the program into one list per "root" instruction and adds
// a no-op wherever a list reaches another root, so it is computed by redoing that grouping.
import { Inst, type Program } from './compile.js';

/** Skips no-ops and marks `.*`-then-match loops, as Prog::Optimize does. */
export function optimize(prog: Program): void {
  const inst = prog.inst;
  const skipNops = (j: number): number => {
    while (j !== 0 && inst[j]!.op === Inst.Nop) j = inst[j]!.out;
    return j;
  };
  const queue: number[] = [];
  const seen = new Set<number>();
  const add = (id: number): void => {
    if (id !== 0 && !seen.has(id)) {
      seen.add(id);
      queue.push(id);
    }
  };
  add(prog.start);
  for (let i = 0; i < queue.length; i++) {
    const ip = inst[queue[i]!]!;
    ip.out = skipNops(ip.out);
    add(ip.out);
    if (ip.op === Inst.Alt) {
      ip.out1 = skipNops(ip.out1);
      add(ip.out1);
    }
  }
  const isMatch = (id: number): boolean => {
    for (;;) {
      const ip = inst[id]!;
      if (ip.op === Inst.Capture || ip.op === Inst.Nop) id = ip.out;
      else return ip.op === Inst.Match;
    }
  };
  const anyByteBack = (id: number, to: number): boolean => {
    const ip = inst[id]!;
    return ip.op === Inst.ByteRange && ip.out === to && ip.lo === 0 && ip.hi === 0xff;
  };
  queue.length = 0;
  seen.clear();
  add(prog.start);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const ip = inst[id]!;
    add(ip.out);
    if (ip.op === Inst.Alt) add(ip.out1);
    if (ip.op === Inst.Alt && ((anyByteBack(ip.out, id) && isMatch(ip.out1)) || (isMatch(ip.out) && anyByteBack(ip.out1, id)))) ip.op = Inst.AltMatch;
  }
}

const isAlt = (op: number): boolean => op === Inst.Alt || op === Inst.AltMatch;

/** The number of instructions Prog::Flatten leaves: RE2::ProgramSize(). */
export function flattenedSize(prog: Program): number {
  const inst = prog.inst;
  const roots = new Set<number>([0, prog.startUnanchored, prog.start]);
  const preds = new Map<number, number[]>();

  // Successor roots (targets of non-epsilon instructions) and epsilon predecessors.
  const reachable = new Set<number>();
  const stack = [prog.startUnanchored];
  while (stack.length > 0) {
    let id = stack.pop()!;
    for (;;) {
      if (reachable.has(id)) break;
      reachable.add(id);
      const ip = inst[id]!;
      if (isAlt(ip.op)) {
        for (const out of [ip.out, ip.out1]) {
          const list = preds.get(out) ?? [];
          list.push(id);
          preds.set(out, list);
        }
        stack.push(ip.out1);
        id = ip.out;
      } else if (ip.op === Inst.ByteRange || ip.op === Inst.Capture || ip.op === Inst.EmptyWidth) {
        roots.add(ip.out);
        id = ip.out;
      } else if (ip.op === Inst.Nop) {
        id = ip.out;
      } else {
        break;
      }
    }
  }

  /** Instructions reached from root by epsilon moves without entering another root. */
  const epsilonTree = (root: number, visit?: (id: number, isOtherRoot: boolean) => void): Set<number> => {
    const seen = new Set<number>();
    const todo = [root];
    while (todo.length > 0) {
      let id = todo.pop()!;
      for (;;) {
        if (seen.has(id)) break;
        seen.add(id);
        if (id !== root && roots.has(id)) {
          visit?.(id, true);
          break;
        }
        visit?.(id, false);
        const ip = inst[id]!;
        if (isAlt(ip.op)) {
          todo.push(ip.out1);
          id = ip.out;
        } else if (ip.op === Inst.Nop) {
          id = ip.out;
        } else {
          break;
        }
      }
    }
    return seen;
  };

  // Dominator roots: an instruction also reachable from outside its root's tree is a root too.
  const sorted = [...roots].sort((a, b) => a - b);
  for (let i = sorted.length - 1; i > 0; i--) {
    const root = sorted[i]!;
    if (root === prog.startUnanchored || root === prog.start) continue;
    const tree = epsilonTree(root);
    for (const id of tree) {
      for (const pred of preds.get(id) ?? []) if (!tree.has(pred)) roots.add(id);
    }
  }

  // Each root's list: one instruction per reachable non-epsilon instruction, one more per
  // AltMatch, and a no-op for each other root it reaches.
  let size = 0;
  for (const root of roots) {
    epsilonTree(root, (id, isOtherRoot) => {
      if (isOtherRoot) size++;
      else if (inst[id]!.op !== Inst.Alt && inst[id]!.op !== Inst.Nop) size++;
    });
  }
  return size;
}
