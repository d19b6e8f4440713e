// Scalar values between protobufjs messages and the proto3 JSON mapping, both directions.
import { Buffer } from 'node:buffer';
import { INT64_TYPES, toBigInt } from './proto-reflect.js';

export type JsonScalar = null | boolean | number | string;
export type JsonValue = JsonScalar | JsonValue[] | { [key: string]: JsonValue };

const INT32_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int32: [-0x80000000, 0x7fffffff],
  sint32: [-0x80000000, 0x7fffffff],
  sfixed32: [-0x80000000, 0x7fffffff],
  uint32: [0, 0xffffffff],
  fixed32: [0, 0xffffffff],
};

const INT64_RANGES: Readonly<Record<string, readonly [bigint, bigint]>> = {
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

/** JSON cannot carry NaN or ±Infinity as numbers, so the mapping spells them as strings. */
function nonFinite(value: number): string | undefined {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  return undefined;
}

/**
 * The shortest decimal that reads back as the same float32. Decoded floats arrive widened to
 * double (0.1 becomes 0.10000000149011612), which would print differently from what was written.
 */
export function formatFloat32(value: number): number {
  const single = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(single.toPrecision(digits));
    if (Math.fround(candidate) === single) return candidate;
  }
  return single;
}

export function scalarToJson(scalarType: string, value: unknown): JsonScalar {
  if (INT64_TYPES.has(scalarType)) return toBigInt(value).toString();
  switch (scalarType) {
    case 'double':
    case 'float': {
      const number = Number(value);
      return nonFinite(number) ?? (scalarType === 'float' ? formatFloat32(number) : number);
    }
    case 'bool':
      return value === true;
    case 'string':
      return typeof value === 'string' ? value : String(value);
    case 'bytes':
      return typeof value === 'string' ? value : Buffer.from(value as Uint8Array).toString('base64');
    default:
      return Number(value);
  }
}

function integerText(json: unknown, where: string): string {
  if (typeof json === 'number' && Number.isInteger(json)) return BigInt(json).toString();
  if (typeof json === 'string' && /^-?\d+$/.test(json.trim())) return BigInt(json.trim()).toString();
  // The mapping allows exponent notation as long as the value is integral, e.g. "1e3".
  if (typeof json === 'string' && Number.isInteger(Number(json)) && Number.isSafeInteger(Number(json))) return String(Number(json));
  throw new Error(`${where}: expected an integer, got ${JSON.stringify(json)}`);
}

const BASE64 = /^[A-Za-z0-9+/\-_]*={0,2}$/;

/** Parses a JSON scalar into proto-loader object form: 64-bit integers stay decimal strings. */
export function scalarFromJson(scalarType: string, json: unknown, where: string): string | number | boolean | Buffer {
  const int64Range = INT64_RANGES[scalarType];
  if (int64Range) {
    const text = integerText(json, where);
    const value = BigInt(text);
    if (value < int64Range[0] || value > int64Range[1]) throw new Error(`${where}: ${text} is out of range for ${scalarType}`);
    return text;
  }
  const int32Range = INT32_RANGES[scalarType];
  if (int32Range) {
    const value = Number(integerText(json, where));
    if (value < int32Range[0] || value > int32Range[1]) throw new Error(`${where}: ${value} is out of range for ${scalarType}`);
    return value;
  }
  switch (scalarType) {
    case 'double':
    case 'float':
      if (typeof json === 'number') return json;
      if (json === 'NaN') return NaN;
      if (json === 'Infinity') return Infinity;
      if (json === '-Infinity') return -Infinity;
      if (typeof json === 'string' && json.trim() !== '' && Number.isFinite(Number(json))) return Number(json);
      throw new Error(`${where}: expected a number, got ${JSON.stringify(json)}`);
    case 'bool':
      if (typeof json === 'boolean') return json;
      throw new Error(`${where}: expected a boolean, got ${JSON.stringify(json)}`);
    case 'string':
      if (typeof json === 'string') return json;
      throw new Error(`${where}: expected a string, got ${JSON.stringify(json)}`);
    case 'bytes':
      // Both the standard and the URL-safe alphabet are accepted, with or without padding.
      if (typeof json === 'string' && BASE64.test(json)) return Buffer.from(json, json.includes('-') || json.includes('_') ? 'base64url' : 'base64');
      throw new Error(`${where}: expected base64 bytes, got ${JSON.stringify(json)}`);
    default:
      throw new Error(`${where}: unsupported scalar type ${scalarType}`);
  }
}
