// Reflection helpers shared by the proto3 JSON printer and the PGV checker. Both walk protobufjs
// Message instances (what `Type.fromObject` or `Type.decode` produce) rather than the caller's
// object, so they see exactly what `encodeMessage` would put on the wire.
import protobuf from 'protobufjs';
import { envoyProtos, messageType } from './envoy-protos.js';

/** A protobufjs Message instance viewed as its fields. */
export type MessageFields = Record<string, unknown>;

export const INT64_TYPES: ReadonlySet<string> = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/** Wrapper message full name (with protobufjs's leading dot) → the scalar type it wraps. */
export const WRAPPER_SCALARS: Readonly<Record<string, string>> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Normalizes proto-loader object form into a Message instance, as `encodeMessage` does. */
export function toMessage(type: protobuf.Type, object: object): MessageFields {
  return type.fromObject(object as Record<string, unknown>) as unknown as MessageFields;
}

export function lookupMessage(fullName: string): protobuf.Type {
  return messageType(fullName.startsWith('.') ? fullName.slice(1) : fullName);
}

const typeByUrl = new Map<string, protobuf.Type | null>();

/** Resolves an Any type URL the way protobufjs does: by the name after the last '/'. */
export function typeForUrl(typeUrl: string): protobuf.Type | undefined {
  let cached = typeByUrl.get(typeUrl);
  if (cached === undefined) {
    const name = typeUrl.slice(typeUrl.lastIndexOf('/') + 1);
    const found = name === '' ? null : envoyProtos().lookup(name);
    cached = found instanceof protobuf.Type ? found : null;
    typeByUrl.set(typeUrl, cached);
  }
  return cached ?? undefined;
}

export type UnpackedAny =
  | { ok: true; typeUrl: string; type: protobuf.Type; message: MessageFields }
  | { ok: false; typeUrl: string; reason: string };

export function unpackAny(any: MessageFields): UnpackedAny {
  const typeUrl = typeof any.type_url === 'string' ? any.type_url : '';
  if (typeUrl === '') {
    // protobufjs's Any wrapper silently drops an '@type' it cannot resolve, leaving this state.
    return { ok: false, typeUrl, reason: "Any has no type_url (missing '@type', or it names a message that is not loaded)" };
  }
  const type = typeForUrl(typeUrl);
  if (!type) return { ok: false, typeUrl, reason: `Any type ${typeUrl} is not a loaded message type` };
  const bytes = any.value instanceof Uint8Array ? any.value : new Uint8Array();
  try {
    return { ok: true, typeUrl, type, message: type.decode(bytes) as unknown as MessageFields };
  } catch (error) {
    return { ok: false, typeUrl, reason: `Any value does not decode as ${typeUrl}: ${(error as Error).message}` };
  }
}

/** Message fields always track presence; so do oneof members and proto3 `optional` fields. */
export function tracksPresence(field: protobuf.Field): boolean {
  if (field.repeated || field.map) return false;
  return field.resolvedType instanceof protobuf.Type || Boolean(field.partOf) || field.hasPresence;
}

/** True when the field is set, by proto3 rules: present for presence fields, non-default otherwise. */
export function isFieldSet(field: protobuf.Field, message: MessageFields): boolean {
  const value = message[field.name];
  if (field.map) return isRecord(value) && Object.keys(value).length > 0;
  if (field.repeated) return Array.isArray(value) && value.length > 0;
  if (tracksPresence(field)) return Object.hasOwn(message, field.name) && value != null;
  return value != null && !isDefaultScalar(field.type, value);
}

export function isDefaultScalar(scalarType: string, value: unknown): boolean {
  if (INT64_TYPES.has(scalarType)) return toBigInt(value) === 0n;
  switch (scalarType) {
    case 'string':
      return value === '';
    case 'bool':
      return value === false;
    case 'bytes':
      // An unset bytes field reads as protobufjs's shared empty Array, not as a Uint8Array.
      return (value instanceof Uint8Array || Array.isArray(value) || typeof value === 'string') && value.length === 0;
    default:
      // Enums are numbers here too. -0 is not the default: Go's protojson emits it as well.
      return Object.is(value, 0);
  }
}

/** Reads an integer held as a number, decimal string, bigint or protobufjs Long. */
export function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') return BigInt(Math.trunc(value));
  if (typeof value === 'string') return BigInt(value.trim() === '' ? '0' : value);
  if (isRecord(value) && typeof value.low === 'number' && typeof value.high === 'number') {
    const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
    return value.unsigned === true ? bits : BigInt.asIntN(64, bits);
  }
  throw new TypeError(`not an integer: ${String(value)}`);
}

/** The name protoc's JSON printers use for an enum number: the first declared, even with aliases. */
export function enumName(type: protobuf.Enum, value: number): string | undefined {
  for (const [name, number] of Object.entries(type.values)) if (number === value) return name;
  return undefined;
}

export function mapKeyType(field: protobuf.Field): string {
  return field instanceof protobuf.MapField ? field.keyType : 'string';
}

/** Converts a map key (always a string on protobufjs messages) back to a JS value of its key type. */
export function mapKeyValue(keyType: string, key: string): string | number | bigint | boolean {
  if (keyType === 'string') return key;
  if (keyType === 'bool') return key === 'true';
  if (INT64_TYPES.has(keyType)) {
    // Decoded messages key 64-bit maps by protobufjs's 8-character "long hash", not by digits.
    if (!/^-?\d+$/.test(key) && key.length === 8) {
      const long = protobuf.util.LongBits.fromHash(key);
      return toBigInt(long.toLong(keyType === 'uint64' || keyType === 'fixed64'));
    }
    return BigInt(key);
  }
  return Number(key);
}
