// C++ RE2's ProgramSize() for a pattern, the figure Envoy compares with
// re2.max_program_size.error_level, computed the way RE2::Init gets it: parse, split off a
// required literal prefix after ^, simplify, compile, optimize, flatten. Proven equal to Debian's
// libre2 (2022-06-01) by program-size.test.ts. Envoy 1.40 bundles a 2024+ RE2, whose algorithm
// differs from 2022's only in (?<name>...) (accepted since 2023-06), repeats of empty-width
// assertions (capped at one copy since 2023-03) and one alternation-merging fix (2023-12);
// patterns that reach those, or that need Unicode tables, are refused instead of sized.
import { compile } from './compile.js';
import { flattenedSize, optimize } from './flatten.js';
import { parse } from './parse.js';
import { Op, Regexp } from './regexp.js';
import { Re2SyntaxError, Re2TooLarge, Re2Unsupported } from './refusal.js';
import { simplify } from './simplify.js';

export type ProgramSize =
  | { kind: 'size'; size: number; captures: number }
  | { kind: 'invalid'; message: string }
  | { kind: 'unsupported'; reason: string }
  /** captures: -1 when the pattern could not even be parsed whole. */
  | { kind: 'tooLarge'; reason: string; captures: number };

/** RE2's RequiredPrefix: ^ followed by a literal is matched by memcmp, not by the program. */
function withoutRequiredPrefix(re: Regexp): Regexp {
  if (re.op !== Op.Concat) return re;
  let i = 0;
  while (i < re.subs.length && re.subs[i]!.op === Op.BeginText) i++;
  if (i === 0 || i >= re.subs.length) return re;
  const lit = re.subs[i]!;
  if (lit.op !== Op.Literal && lit.op !== Op.LiteralString) return re;
  i++;
  if (i < re.subs.length) return Regexp.concatOrAlternate(Op.Concat, re.subs.slice(i), re.flags);
  return new Regexp(Op.EmptyMatch, re.flags);
}

export function re2ProgramSize(pattern: string): ProgramSize {
  let captures = -1;
  try {
    const parsed = parse(pattern);
    captures = parsed.captures;
    const prog = compile(simplify(withoutRequiredPrefix(parsed.re)));
    optimize(prog);
    return { kind: 'size', size: flattenedSize(prog), captures: parsed.captures };
  } catch (error) {
    if (error instanceof Re2SyntaxError) return { kind: 'invalid', message: error.message };
    if (error instanceof Re2Unsupported) return { kind: 'unsupported', reason: error.message };
    if (error instanceof Re2TooLarge) return { kind: 'tooLarge', reason: error.message, captures };
    // Expanded repeats such as .{0,1000} nest a thousand deep: far over the limit, and deeper
    // than this recursive port can follow.
    if (error instanceof RangeError) return { kind: 'tooLarge', reason: 'repetitions nested too deeply to build', captures };
    throw error;
  }
}
