// Regexes are checked here, before they reach Envoy: an invalid or too costly RE2 pattern would
// make Envoy reject the whole RouteConfiguration and stall every other Ingress of the fleet.
import { re2ProgramSize } from './re2/program-size.js';

/**
 * Envoy's default `re2.max_program_size.error_level`, compared with C++ RE2's ProgramSize().
 * Portico computes that size exactly (re2/, proven against Debian's libre2 by
 * re2/program-size.test.ts) and refuses the patterns it cannot size exactly, so the check
 * never passes a pattern Envoy would reject.
 */
export const MAX_REGEX_PROGRAM_SIZE = 100;

export type RegexCheck = { ok: true; groups: number } | { ok: false; reason: string };

/**
 * @param limit false: judge syntax only (and count groups). Size matters for the pattern Envoy
 * compiles, which may be smaller than the user's part of it (RE2 merges `.{1,20}.*` into `.+`).
 */
export function checkRe2(pattern: string, limit = true): RegexCheck {
  const sized = re2ProgramSize(pattern);
  switch (sized.kind) {
    case 'invalid':
      return { ok: false, reason: `not a valid RE2 regular expression (error parsing regexp: ${sized.message})` };
    case 'unsupported':
      return { ok: false, reason: `refused: ${sized.reason}` };
    case 'tooLarge':
      if (!limit && sized.captures >= 0) return { ok: true, groups: sized.captures };
      return { ok: false, reason: `too costly: its RE2 program is far over Envoy's limit of ${MAX_REGEX_PROGRAM_SIZE} (${sized.reason}); simplify the expression` };
    case 'size':
      if (limit && sized.size > MAX_REGEX_PROGRAM_SIZE) {
        return { ok: false, reason: `too costly: its RE2 program size ${sized.size} is over Envoy's limit of ${MAX_REGEX_PROGRAM_SIZE}; simplify the expression` };
      }
      return { ok: true, groups: sized.captures };
  }
}
