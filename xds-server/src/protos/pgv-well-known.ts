// PGV rules on the google.protobuf Duration, Timestamp and Any message fields. As in PGV, only
// `required` looks at an unset field; the other rules apply once the field is set.
import { isRecord, type MessageFields } from './proto-reflect.js';
import { flag, has, list, sub, type Rules } from './pgv-rules.js';
import { orderedChecks } from './pgv-scalars.js';
import { durationProblem, formatDuration, formatTimestamp, secondsNanos, timestampProblem, totalNanos, type SecondsNanos } from './time-json.js';

const BILLION = 1_000_000_000n;

function fromNanos(total: bigint): SecondsNanos {
  // BigInt division truncates toward zero, so seconds and nanos keep the same sign.
  return { seconds: total / BILLION, nanos: Number(total % BILLION) };
}

function ruleNanos(raw: unknown): bigint {
  return isRecord(raw) ? totalNanos(secondsNanos(raw)) : 0n;
}

const showDuration = (total: bigint): string => formatDuration(fromNanos(total));

export function checkDuration(value: MessageFields | undefined, rules: Rules): string[] {
  if (!value) return flag(rules, 'required') ? ['value is required'] : [];
  const parts = secondsNanos(value);
  if (durationProblem(parts)) return [`value is not a valid duration: ${durationProblem(parts)}`];
  return orderedChecks(totalNanos(parts), rules, ruleNanos, showDuration);
}

function showTimestamp(total: bigint): string {
  const parts = fromNanos(total);
  // Timestamps before 1970 have negative totals; Timestamp wants nanos in [0, 1e9).
  return formatTimestamp(parts.nanos < 0 ? { seconds: parts.seconds - 1n, nanos: parts.nanos + 1e9 } : parts);
}

export function checkTimestamp(value: MessageFields | undefined, rules: Rules, now: () => bigint = () => BigInt(Date.now()) * 1_000_000n): string[] {
  if (!value) return flag(rules, 'required') ? ['value is required'] : [];
  const parts = secondsNanos(value);
  if (timestampProblem(parts)) return [`value is not a valid timestamp: ${timestampProblem(parts)}`];
  const ts = totalNanos(parts);
  const out = orderedChecks(ts, rules, ruleNanos, showTimestamp);
  const within = has(rules, 'within') ? ruleNanos(sub(rules, 'within') ?? {}) : undefined;
  if (flag(rules, 'lt_now') || flag(rules, 'gt_now') || within !== undefined) {
    const current = now();
    const span = within === undefined ? '' : ` within ${showDuration(within)}`;
    if (flag(rules, 'lt_now')) {
      if (ts >= current || (within !== undefined && ts < current - within)) out.push(`value must be less than now${span}`);
    } else if (flag(rules, 'gt_now')) {
      if (ts <= current || (within !== undefined && ts > current + within)) out.push(`value must be greater than now${span}`);
    } else if (within !== undefined && (ts < current - within || ts > current + within)) {
      out.push(`value must be within ${showDuration(within)} of now`);
    }
  }
  return out;
}

export function checkAny(value: MessageFields | undefined, rules: Rules): string[] {
  if (!value) return flag(rules, 'required') ? ['value is required'] : [];
  const typeUrl = typeof value.type_url === 'string' ? value.type_url : '';
  const out: string[] = [];
  const allowed = list(rules, 'in')?.map(String);
  if (allowed && !allowed.includes(typeUrl)) out.push(`type URL must be in list [${allowed.join(' ')}]`);
  const denied = list(rules, 'not_in')?.map(String);
  if (denied?.includes(typeUrl)) out.push(`type URL must not be in list [${denied.join(' ')}]`);
  return out;
}
