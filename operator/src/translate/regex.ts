// Regexes are checked here, before they reach Envoy: an invalid or too costly RE2 pattern would
// make Envoy reject the whole RouteConfiguration and stall every other Ingress of the fleet.
import { RE2JS } from 're2js';

/**
 * Envoy's default `re2.max_program_size.error_level`. re2js computes program size the way RE2
 * does, closely but not always exactly, so patterns near the limit are judged approximately.
 */
export const MAX_REGEX_PROGRAM_SIZE = 100;

export type RegexCheck = { ok: true; groups: number } | { ok: false; reason: string };

export function checkRe2(pattern: string): RegexCheck {
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (error) {
    return { ok: false, reason: `not a valid RE2 regular expression (${error instanceof Error ? error.message : String(error)})` };
  }
  const size = compiled.programSize();
  if (size > MAX_REGEX_PROGRAM_SIZE) {
    return { ok: false, reason: `too costly: its RE2 program size ${size} is over Envoy's limit of ${MAX_REGEX_PROGRAM_SIZE}; simplify the expression` };
  }
  return { ok: true, groups: compiled.groupCount() };
}
