// Plain JSON → google.protobuf.Struct in the object form the encoder takes (protobufjs names the
// well-known Value's fields in lowerCamelCase), for configs sent as xds.type.v3.TypedStruct.
import type { Struct, Value } from '../../../../xds-server/src/index.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

export function toStruct(json: JsonObject): Struct {
  return { fields: Object.fromEntries(Object.entries(json).map(([key, value]) => [key, toValue(value)])) };
}

function toValue(json: JsonValue): Value {
  if (json === null) return { nullValue: 'NULL_VALUE' };
  if (typeof json === 'string') return { stringValue: json };
  if (typeof json === 'number') return { numberValue: json };
  if (typeof json === 'boolean') return { boolValue: json };
  if (Array.isArray(json)) return { listValue: { values: json.map(toValue) } };
  return { structValue: toStruct(json) };
}

/** The inverse, for tests and checks. */
export function fromStruct(struct: Struct): JsonObject {
  return Object.fromEntries(Object.entries(struct.fields ?? {}).map(([key, value]) => [key, fromValue(value)]));
}

function fromValue(value: Value): JsonValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.numberValue !== undefined) return Number(value.numberValue);
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.listValue) return (value.listValue.values ?? []).map(fromValue);
  if (value.structValue) return fromStruct(value.structValue);
  return null;
}
