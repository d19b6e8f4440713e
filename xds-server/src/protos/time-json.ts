// Duration and Timestamp text forms of the proto3 JSON mapping. Also used by the PGV checker to
// print bounds in violation messages, so both sides speak the same notation.
import { toBigInt } from './proto-reflect.js';

const MAX_DURATION_SECONDS = 315_576_000_000n;
// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range RFC 3339 can express.
const MIN_TIMESTAMP_SECONDS = -62_135_596_800n;
const MAX_TIMESTAMP_SECONDS = 253_402_300_799n;
const NANOS_PER_SECOND = 1_000_000_000n;

export interface SecondsNanos {
  seconds: bigint;
  nanos: number;
}

/** Reads a Duration or Timestamp message (or a `{ seconds, nanos }` rule value; missing means 0). */
export function secondsNanos(message: Record<string, unknown>): SecondsNanos {
  return {
    seconds: message.seconds == null ? 0n : toBigInt(message.seconds),
    nanos: typeof message.nanos === 'number' ? message.nanos : 0,
  };
}

export function totalNanos(value: SecondsNanos): bigint {
  return value.seconds * NANOS_PER_SECOND + BigInt(value.nanos);
}

/** The reason a Duration is outside what google.protobuf.Duration allows, if it is. */
export function durationProblem({ seconds, nanos }: SecondsNanos): string | undefined {
  if (seconds < -MAX_DURATION_SECONDS || seconds > MAX_DURATION_SECONDS) return `seconds ${seconds} is out of range`;
  if (!Number.isInteger(nanos) || nanos <= -1e9 || nanos >= 1e9) return `nanos ${nanos} is out of range`;
  if ((seconds > 0n && nanos < 0) || (seconds < 0n && nanos > 0)) return 'seconds and nanos have different signs';
  return undefined;
}

export function timestampProblem({ seconds, nanos }: SecondsNanos): string | undefined {
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) return `seconds ${seconds} is out of range`;
  if (!Number.isInteger(nanos) || nanos < 0 || nanos >= 1e9) return `nanos ${nanos} is out of range`;
  return undefined;
}

/** 0, 3, 6 or 9 fractional digits, as protoc and Go's protojson print them. */
function fraction(nanos: number): string {
  if (nanos === 0) return '';
  const digits = String(nanos).padStart(9, '0');
  if (nanos % 1_000_000 === 0) return '.' + digits.slice(0, 3);
  if (nanos % 1_000 === 0) return '.' + digits.slice(0, 6);
  return '.' + digits;
}

export function formatDuration(value: SecondsNanos): string {
  const problem = durationProblem(value);
  if (problem) throw new Error(`invalid google.protobuf.Duration: ${problem}`);
  const negative = value.seconds < 0n || value.nanos < 0;
  const seconds = negative ? -value.seconds : value.seconds;
  return `${negative ? '-' : ''}${seconds}${fraction(Math.abs(value.nanos))}s`;
}

/** Parses "1.5s" into proto-loader object form (seconds as a decimal string, like other int64s). */
export function parseDuration(text: string): { seconds: string; nanos: number } {
  const match = /^(-)?(\d+)(?:\.(\d{0,9}))?s$/.exec(text);
  if (!match) throw new Error(`invalid google.protobuf.Duration ${JSON.stringify(text)}`);
  const sign = match[1] ? -1 : 1;
  const seconds = BigInt(match[2] ?? '0') * BigInt(sign);
  const nanos = Number((match[3] ?? '').padEnd(9, '0')) * sign;
  const problem = durationProblem({ seconds, nanos });
  if (problem) throw new Error(`invalid google.protobuf.Duration ${JSON.stringify(text)}: ${problem}`);
  return { seconds: seconds.toString(), nanos: nanos === 0 ? 0 : nanos };
}

export function formatTimestamp(value: SecondsNanos): string {
  const problem = timestampProblem(value);
  if (problem) throw new Error(`invalid google.protobuf.Timestamp: ${problem}`);
  const iso = new Date(Number(value.seconds) * 1000).toISOString();
  return `${iso.slice(0, 19)}${fraction(value.nanos)}Z`;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export function parseTimestamp(text: string): { seconds: string; nanos: number } {
  const match = RFC3339.exec(text);
  if (!match) throw new Error(`invalid google.protobuf.Timestamp ${JSON.stringify(text)}`);
  const [, year, month, day, hour, minute, second, frac, , sign, offsetHours, offsetMinutes] = match;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || Number(offsetHours ?? 0) > 23 || Number(offsetMinutes ?? 0) > 59) {
    throw new Error(`invalid google.protobuf.Timestamp ${JSON.stringify(text)}: time out of range`);
  }
  const date = new Date(0);
  // setUTCFullYear, unlike Date.UTC, does not map years 0–99 to 1900–1999.
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second), 0);
  if (date.getUTCDate() !== Number(day) || date.getUTCMonth() !== Number(month) - 1) {
    throw new Error(`invalid google.protobuf.Timestamp ${JSON.stringify(text)}: no such date`);
  }
  const offset = sign ? (sign === '-' ? -1 : 1) * (Number(offsetHours) * 3600 + Number(offsetMinutes) * 60) : 0;
  const seconds = BigInt(date.getTime() / 1000 - offset);
  const nanos = Number((frac ?? '').padEnd(9, '0'));
  const problem = timestampProblem({ seconds, nanos });
  if (problem) throw new Error(`invalid google.protobuf.Timestamp ${JSON.stringify(text)}: ${problem}`);
  return { seconds: seconds.toString(), nanos };
}
