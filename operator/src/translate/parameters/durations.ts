// Durations as Gateway API writes them (`5s`, `1m30s`, `250ms`, `1h`): the same pattern the CRD
// enforces, so anything the API server accepts parses here, and the result is whole milliseconds.

/** The CRD's pattern: up to four number+unit pairs, each number at most five digits. */
export const DURATION_PATTERN = '^([0-9]{1,5}(h|m|s|ms)){1,4}$';
const DURATION = new RegExp(DURATION_PATTERN);
const UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };

/** Milliseconds, or undefined when the text is not a duration of that form. */
export function parseDurationMs(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ms|h|m|s)/g)) total += Number(amount) * (UNIT_MS[unit ?? ''] ?? 0);
  return total;
}
