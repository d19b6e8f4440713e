// PGV rules on scalar values: numbers, bool, string, bytes and enums. Each check returns the
// violation messages (worded like PGV's Go validators) and leaves paths to the caller.
import { Buffer } from 'node:buffer';
import type protobuf from 'protobufjs';
import { INT64_TYPES, isDefaultScalar, toBigInt } from './proto-reflect.js';
import { flag, has, int, list, text, type Rules } from './pgv-rules.js';
import { re2, STRING_FORMATS, stringFormatProblem, wellKnownRegex } from './pgv-string-formats.js';

export interface Bounds<T> {
  lt?: T | undefined;
  lte?: T | undefined;
  gt?: T | undefined;
  gte?: T | undefined;
}

/**
 * PGV's range semantics: a lower bound above the upper bound turns the pair into an exclusive
 * range ("outside [lt, gt]") instead of an impossible one.
 */
export function rangeViolation<T extends number | bigint>(value: T, { lt, lte, gt, gte }: Bounds<T>, show: (v: T) => string): string | undefined {
  if (lt !== undefined) {
    if (gt !== undefined) {
      if (lt > gt) return value <= gt || value >= lt ? `value must be inside range (${show(gt)}, ${show(lt)})` : undefined;
      return value >= lt && value <= gt ? `value must be outside range [${show(lt)}, ${show(gt)}]` : undefined;
    }
    if (gte !== undefined) {
      if (lt > gte) return value < gte || value >= lt ? `value must be inside range [${show(gte)}, ${show(lt)})` : undefined;
      return value >= lt && value < gte ? `value must be outside range [${show(lt)}, ${show(gte)})` : undefined;
    }
    return value >= lt ? `value must be less than ${show(lt)}` : undefined;
  }
  if (lte !== undefined) {
    if (gt !== undefined) {
      if (lte > gt) return value <= gt || value > lte ? `value must be inside range (${show(gt)}, ${show(lte)}]` : undefined;
      return value > lte && value <= gt ? `value must be outside range (${show(lte)}, ${show(gt)}]` : undefined;
    }
    if (gte !== undefined) {
      if (lte > gte) return value < gte || value > lte ? `value must be inside range [${show(gte)}, ${show(lte)}]` : undefined;
      return value > lte && value < gte ? `value must be outside range (${show(lte)}, ${show(gte)})` : undefined;
    }
    return value > lte ? `value must be less than or equal to ${show(lte)}` : undefined;
  }
  if (gt !== undefined) return value <= gt ? `value must be greater than ${show(gt)}` : undefined;
  if (gte !== undefined) return value < gte ? `value must be greater than or equal to ${show(gte)}` : undefined;
  return undefined;
}

function listText(values: readonly unknown[]): string {
  return `[${values.map((v) => String(v)).join(' ')}]`;
}

/** Checks const/lt/lte/gt/gte/in/not_in against values already converted with `convert`. */
export function orderedChecks<T extends number | bigint>(value: T, rules: Rules, convert: (raw: unknown) => T, show: (v: T) => string): string[] {
  const out: string[] = [];
  const bound = (key: string): T | undefined => (has(rules, key) ? convert(rules[key]) : undefined);
  const constant = bound('const');
  if (constant !== undefined && value !== constant) out.push(`value must equal ${show(constant)}`);
  const range = rangeViolation(value, { lt: bound('lt'), lte: bound('lte'), gt: bound('gt'), gte: bound('gte') }, show);
  if (range) out.push(range);
  const allowed = list(rules, 'in')?.map(convert);
  if (allowed && !allowed.includes(value)) out.push(`value must be in list ${listText(allowed.map(show))}`);
  const denied = list(rules, 'not_in')?.map(convert);
  if (denied?.includes(value)) out.push(`value must not be in list ${listText(denied.map(show))}`);
  return out;
}

/** int32/int64/uint32/uint64/sint*, fixed*, sfixed*, float and double rules. */
export function checkNumber(scalarType: string, raw: unknown, rules: Rules): string[] {
  if (flag(rules, 'ignore_empty') && isDefaultScalar(scalarType, raw)) return [];
  if (INT64_TYPES.has(scalarType)) return orderedChecks(toBigInt(raw), rules, toBigInt, String);
  // A float field holds float32 values, so its bounds are compared at that precision too.
  const convert = scalarType === 'float' ? (v: unknown) => Math.fround(Number(v)) : (v: unknown) => Number(v);
  return orderedChecks(convert(raw), rules, convert, String);
}

export function checkBool(value: unknown, rules: Rules): string[] {
  return has(rules, 'const') && value !== rules.const ? [`value must equal ${String(rules.const)}`] : [];
}

export function checkEnum(type: protobuf.Enum, raw: unknown, rules: Rules): string[] {
  const value = Number(raw);
  const out = orderedChecks(value, rules, Number, String);
  if (flag(rules, 'defined_only') && type.valuesById[value] === undefined) out.push('value must be one of the defined enum values');
  return out;
}

function lengthChecks(rules: Rules, [exact, min, max]: readonly [string, string, string], actual: number, unit: string): string[] {
  const size = BigInt(actual);
  const out: string[] = [];
  const want = int(rules, exact);
  if (want !== undefined && size !== want) out.push(`value length must be ${want} ${unit}`);
  const least = int(rules, min);
  if (least !== undefined && size < least) out.push(`value length must be at least ${least} ${unit}`);
  const most = int(rules, max);
  if (most !== undefined && size > most) out.push(`value length must be at most ${most} ${unit}`);
  return out;
}

function patternViolation(pattern: string, value: string | Uint8Array): string | undefined {
  let matched: boolean;
  try {
    matched = re2(pattern).test(value);
  } catch (error) {
    // A rule that cannot compile is a broken .proto, not a broken message; say so rather than throw.
    return `rule pattern ${JSON.stringify(pattern)} is not valid RE2: ${(error as Error).message}`;
  }
  return matched ? undefined : `value does not match regex pattern ${JSON.stringify(pattern)}`;
}

export function checkString(value: string, rules: Rules): string[] {
  if (flag(rules, 'ignore_empty') && value === '') return [];
  const out: string[] = [];
  const constant = text(rules, 'const');
  if (constant !== undefined && value !== constant) out.push(`value must equal ${JSON.stringify(constant)}`);
  out.push(...lengthChecks(rules, ['len', 'min_len', 'max_len'], [...value].length, 'runes'));
  out.push(...lengthChecks(rules, ['len_bytes', 'min_bytes', 'max_bytes'], Buffer.byteLength(value, 'utf8'), 'bytes'));
  const prefix = text(rules, 'prefix');
  if (prefix !== undefined && !value.startsWith(prefix)) out.push(`value does not have prefix ${JSON.stringify(prefix)}`);
  const suffix = text(rules, 'suffix');
  if (suffix !== undefined && !value.endsWith(suffix)) out.push(`value does not have suffix ${JSON.stringify(suffix)}`);
  const contains = text(rules, 'contains');
  if (contains !== undefined && !value.includes(contains)) out.push(`value does not contain substring ${JSON.stringify(contains)}`);
  const notContains = text(rules, 'not_contains');
  if (notContains !== undefined && value.includes(notContains)) out.push(`value contains substring ${JSON.stringify(notContains)}`);
  const allowed = list(rules, 'in')?.map(String);
  if (allowed && !allowed.includes(value)) out.push(`value must be in list ${listText(allowed)}`);
  const denied = list(rules, 'not_in')?.map(String);
  if (denied?.includes(value)) out.push(`value must not be in list ${listText(denied)}`);
  const pattern = text(rules, 'pattern');
  const patternProblem = pattern === undefined ? undefined : patternViolation(pattern, value);
  if (patternProblem) out.push(patternProblem);
  const known = wellKnownRegex(rules.well_known_regex, rules.strict !== false);
  if (known && patternViolation(known.pattern, value)) out.push(known.violation);
  for (const format of STRING_FORMATS) {
    const problem = flag(rules, format) ? stringFormatProblem(format, value) : undefined;
    if (problem) out.push(problem);
  }
  return out;
}

/** Bytes literals in .proto options reach us as strings of byte-valued characters. */
function ruleBytes(value: unknown): Buffer {
  if (value instanceof Uint8Array) return Buffer.from(value);
  const s = String(value);
  return Buffer.from(s, [...s].every((c) => c.charCodeAt(0) <= 0xff) ? 'latin1' : 'utf8');
}

export function checkBytes(raw: unknown, rules: Rules): string[] {
  const value = raw instanceof Uint8Array ? Buffer.from(raw) : ruleBytes(raw ?? '');
  if (flag(rules, 'ignore_empty') && value.length === 0) return [];
  const out: string[] = [];
  if (has(rules, 'const') && !value.equals(ruleBytes(rules.const))) out.push('value must equal the constant bytes');
  out.push(...lengthChecks(rules, ['len', 'min_len', 'max_len'], value.length, 'bytes'));
  const pattern = text(rules, 'pattern');
  const patternProblem = pattern === undefined ? undefined : patternViolation(pattern, value);
  if (patternProblem) out.push(patternProblem);
  if (has(rules, 'prefix') && value.indexOf(ruleBytes(rules.prefix)) !== 0) out.push('value does not have the required prefix bytes');
  if (has(rules, 'suffix')) {
    const suffix = ruleBytes(rules.suffix);
    if (value.length < suffix.length || !value.subarray(value.length - suffix.length).equals(suffix)) out.push('value does not have the required suffix bytes');
  }
  if (has(rules, 'contains') && !value.includes(ruleBytes(rules.contains))) out.push('value does not contain the required bytes');
  const allowed = list(rules, 'in')?.map(ruleBytes);
  if (allowed && !allowed.some((b) => b.equals(value))) out.push('value must be in the allowed list of byte strings');
  if (list(rules, 'not_in')?.map(ruleBytes).some((b) => b.equals(value))) out.push('value must not be in the denied list of byte strings');
  // Bytes IPs are raw network-order addresses: 4 or 16 bytes.
  if (flag(rules, 'ip') && value.length !== 4 && value.length !== 16) out.push('value must be a valid IP address');
  if (flag(rules, 'ipv4') && value.length !== 4) out.push('value must be a valid IPv4 address');
  if (flag(rules, 'ipv6') && value.length !== 16) out.push('value must be a valid IPv6 address');
  return out;
}
