// Prints Envoy messages in the canonical proto3 JSON mapping, keeping proto field names (as Envoy's
// config_dump does with preserving_proto_field_name). protobufjs's own toObject does not implement
// the mapping for well-known types (Durations stay `{ seconds, nanos }`, wrappers stay wrapped), so
// the walk is done here over reflection. See docs/decisions/0002-proto-json-and-pgv.md.
import protobuf from 'protobufjs';
import { isFieldSet, isRecord, lookupMessage, mapKeyType, mapKeyValue, toMessage, enumName, unpackAny, type MessageFields } from './proto-reflect.js';
import { scalarToJson, type JsonValue } from './json-scalars.js';
import { hasSpecialJson, wellKnownToJson } from './well-known-json.js';

export type { JsonValue } from './json-scalars.js';
export { fromProto3Json } from './proto-json-parse.js';

const ANY = '.google.protobuf.Any';

/**
 * Converts a message given in proto-loader object form (what `encodeMessage` accepts) into proto3
 * JSON. Keys follow .proto declaration order, map keys are sorted, and '@type' leads in Anys, so
 * equal messages always print identically.
 */
export function toProto3Json(fullName: string, object: object): JsonValue {
  const type = lookupMessage(fullName);
  return messageToJson(type, toMessage(type, object));
}

function messageToJson(type: protobuf.Type, message: MessageFields): JsonValue {
  if (type.fullName === ANY) return anyToJson(message);
  const special = wellKnownToJson(type, message);
  if (special !== undefined) return special;
  const out: { [key: string]: JsonValue } = {};
  for (const field of type.fieldsArray) {
    if (isFieldSet(field, message)) out[field.name] = fieldToJson(field, message[field.name]);
  }
  return out;
}

function anyToJson(any: MessageFields): JsonValue {
  const hasValue = any.value instanceof Uint8Array && any.value.length > 0;
  if (!any.type_url && !hasValue) return {};
  const unpacked = unpackAny(any);
  if (!unpacked.ok) throw new Error(unpacked.reason);
  const inner = messageToJson(unpacked.type, unpacked.message);
  if (hasSpecialJson(unpacked.type) || !isRecord(inner)) return { '@type': unpacked.typeUrl, value: inner };
  return { '@type': unpacked.typeUrl, ...inner };
}

function compareKeys(a: string | number | bigint | boolean, b: string | number | bigint | boolean): number {
  // Keys of one map share a type, and `<` orders strings, numbers, bigints and booleans alike.
  const [x, y] = [a as number, b as number];
  return x < y ? -1 : x > y ? 1 : 0;
}

function fieldToJson(field: protobuf.Field, value: unknown): JsonValue {
  if (field.map) {
    const keyType = mapKeyType(field);
    const entries = Object.entries(value as Record<string, unknown>).map(([key, v]) => [mapKeyValue(keyType, key), v] as const);
    entries.sort(([a], [b]) => compareKeys(a, b));
    const out: { [key: string]: JsonValue } = {};
    for (const [key, v] of entries) out[String(key)] = elementToJson(field, v);
    return out;
  }
  if (field.repeated) return (value as unknown[]).map((v) => elementToJson(field, v));
  return elementToJson(field, value);
}

function elementToJson(field: protobuf.Field, value: unknown): JsonValue {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageToJson(resolved, value as MessageFields);
  if (resolved instanceof protobuf.Enum) {
    if (resolved.fullName === '.google.protobuf.NullValue') return null;
    const number = Number(value);
    return enumName(resolved, number) ?? number;
  }
  return scalarToJson(field.type, value);
}
