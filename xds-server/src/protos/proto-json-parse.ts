// Reads proto3 JSON (as printed by toProto3Json, Envoy's config_dump or Go's protojson) back into
// proto-loader object form. Unlike protobufjs's fromObject, which silently drops what it does not
// recognise, unknown fields and enum names are errors here: JSON is where typos come in.
import protobuf from 'protobufjs';
import { isRecord, lookupMessage, mapKeyType, typeForUrl } from './proto-reflect.js';
import { scalarFromJson } from './json-scalars.js';
import { hasSpecialJson, wellKnownFromJson } from './well-known-json.js';

const ANY = '.google.protobuf.Any';
const VALUE = '.google.protobuf.Value';
const NULL_VALUE = '.google.protobuf.NullValue';

/** protoc's json_name: drop each '_' and upper-case the character after it. */
function jsonName(field: protobuf.Field): string {
  const explicit: unknown = field.options?.json_name;
  return typeof explicit === 'string' ? explicit : field.name.replace(/_(.?)/g, (_, c: string) => c.toUpperCase());
}

const fieldIndexes = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();

/** Both spellings are accepted, as every proto3 JSON parser must. */
function fieldByJsonKey(type: protobuf.Type, key: string): protobuf.Field | undefined {
  let index = fieldIndexes.get(type);
  if (!index) {
    index = new Map();
    for (const field of type.fieldsArray) index.set(jsonName(field), field).set(field.name, field);
    fieldIndexes.set(type, index);
  }
  return index.get(key);
}

/** Converts proto3 JSON for `fullName` into the object form `encodeMessage` accepts. */
export function fromProto3Json(fullName: string, json: unknown): object {
  const type = lookupMessage(fullName);
  return messageFromJson(type, json, type.fullName.slice(1));
}

function messageFromJson(type: protobuf.Type, json: unknown, where: string): object {
  if (type.fullName === ANY) return anyFromJson(json, where);
  const special = wellKnownFromJson(type, json, where);
  if (special !== undefined) return special;
  if (!isRecord(json)) throw new Error(`${where}: expected an object for ${type.fullName.slice(1)}, got ${JSON.stringify(json)}`);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(json)) {
    const field = fieldByJsonKey(type, key);
    if (!field) throw new Error(`${where}: unknown field ${JSON.stringify(key)} in ${type.fullName.slice(1)}`);
    if (Object.hasOwn(out, field.name)) throw new Error(`${where}: field ${field.name} is given twice`);
    const path = `${where}.${field.name}`;
    // null means "default" for every field except the ones whose type can hold a JSON null.
    const nullable = !field.repeated && !field.map && [VALUE, NULL_VALUE].includes(field.resolvedType?.fullName ?? '');
    if (value === null && !nullable) continue;
    out[field.name] = fieldFromJson(field, value, path);
  }
  return out;
}

function anyFromJson(json: unknown, where: string): object {
  if (!isRecord(json)) throw new Error(`${where}: expected an object for google.protobuf.Any`);
  if (Object.keys(json).length === 0) return {};
  const { '@type': typeUrl, ...rest } = json;
  if (typeof typeUrl !== 'string' || typeUrl === '') throw new Error(`${where}: Any is missing '@type'`);
  const type = typeForUrl(typeUrl);
  if (!type) throw new Error(`${where}: Any type ${typeUrl} is not a loaded message type`);
  // protobufjs's Any wrapper would recurse forever on an object-form Any holding an Any.
  if (type.fullName === ANY) throw new Error(`${where}: an Any holding an Any is not supported`);
  if (hasSpecialJson(type)) {
    const extra = Object.keys(rest).filter((k) => k !== 'value');
    if (extra.length > 0 || !('value' in rest)) throw new Error(`${where}: an Any of ${typeUrl} takes exactly one "value" key`);
    return { '@type': typeUrl, ...wellKnownFromJson(type, rest.value, `${where}.value`) };
  }
  return { '@type': typeUrl, ...messageFromJson(type, rest, where) };
}

function fieldFromJson(field: protobuf.Field, json: unknown, where: string): unknown {
  if (field.map) {
    if (!isRecord(json)) throw new Error(`${where}: expected an object for a map`);
    const keyType = mapKeyType(field);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(json)) {
      const entry = `${where}[${JSON.stringify(key)}]`;
      out[mapKeyFromJson(keyType, key, entry)] = elementFromJson(field, value, entry);
    }
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(json)) throw new Error(`${where}: expected an array`);
    return json.map((item: unknown, i) => elementFromJson(field, item, `${where}[${i}]`));
  }
  return elementFromJson(field, json, where);
}

function mapKeyFromJson(keyType: string, key: string, where: string): string {
  if (keyType === 'string') return key;
  if (keyType === 'bool') {
    if (key !== 'true' && key !== 'false') throw new Error(`${where}: expected a bool map key`);
    return key;
  }
  return String(scalarFromJson(keyType, key, where));
}

function elementFromJson(field: protobuf.Field, json: unknown, where: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return messageFromJson(resolved, json, where);
  if (resolved instanceof protobuf.Enum) return enumFromJson(resolved, json, where);
  return scalarFromJson(field.type, json, where);
}

function enumFromJson(type: protobuf.Enum, json: unknown, where: string): string | number {
  if (type.fullName === NULL_VALUE && json === null) return 'NULL_VALUE';
  if (typeof json === 'string' && Object.hasOwn(type.values, json)) return json;
  if (typeof json === 'number' && Number.isInteger(json)) return json;
  throw new Error(`${where}: ${JSON.stringify(json)} is not a value of ${type.fullName.slice(1)}`);
}
