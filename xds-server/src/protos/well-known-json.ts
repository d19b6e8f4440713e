// The well-known types whose proto3 JSON form is not "an object of their fields" (Any excepted,
// since it needs the general message walker and lives with it in proto-json.ts).
import type protobuf from 'protobufjs';
import { isRecord, lookupMessage, WRAPPER_SCALARS, type MessageFields } from './proto-reflect.js';
import { scalarFromJson, scalarToJson, type JsonValue } from './json-scalars.js';
import { formatDuration, formatTimestamp, parseDuration, parseTimestamp, secondsNanos } from './time-json.js';

const DURATION = '.google.protobuf.Duration';
const TIMESTAMP = '.google.protobuf.Timestamp';
const FIELD_MASK = '.google.protobuf.FieldMask';
const STRUCT = '.google.protobuf.Struct';
const VALUE = '.google.protobuf.Value';
const LIST_VALUE = '.google.protobuf.ListValue';

/** Types that an Any carries as `{ "@type": url, "value": <special JSON> }` instead of inline fields. */
export function hasSpecialJson(type: protobuf.Type): boolean {
  return [DURATION, TIMESTAMP, FIELD_MASK, STRUCT, VALUE, LIST_VALUE, '.google.protobuf.Any'].includes(type.fullName) || type.fullName in WRAPPER_SCALARS;
}

function snakeToLowerCamel(path: string): string {
  return path.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function lowerCamelToSnake(path: string): string {
  return path.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());
}

function own(message: MessageFields, name: string): unknown {
  return Object.hasOwn(message, name) ? message[name] : undefined;
}

interface ValueFieldNames {
  nullValue: string;
  numberValue: string;
  stringValue: string;
  boolValue: string;
  structValue: string;
  listValue: string;
}

let valueNames: ValueFieldNames | undefined;

/**
 * protobufjs serves struct.proto from its bundled JSON descriptors, where Value's members are
 * camelCase (`numberValue`) even under keepCase; reading them by field number works either way.
 */
function valueFields(): ValueFieldNames {
  if (!valueNames) {
    const byId = lookupMessage('google.protobuf.Value').fieldsById;
    const name = (id: number): string => byId[id]?.name ?? '';
    valueNames = { nullValue: name(1), numberValue: name(2), stringValue: name(3), boolValue: name(4), structValue: name(5), listValue: name(6) };
  }
  return valueNames;
}

function structToJson(struct: MessageFields): { [key: string]: JsonValue } {
  const fields = isRecord(struct.fields) ? struct.fields : {};
  const out: { [key: string]: JsonValue } = {};
  // Struct is a map; sorting keeps the output independent of construction order.
  for (const key of Object.keys(fields).sort()) out[key] = valueToJson(fields[key] as MessageFields);
  return out;
}

function listToJson(list: MessageFields): JsonValue[] {
  return (Array.isArray(list.values) ? list.values : []).map((v) => valueToJson(v as MessageFields));
}

function valueToJson(value: MessageFields): JsonValue {
  const names = valueFields();
  if (own(value, names.nullValue) != null) return null;
  const number = own(value, names.numberValue);
  if (typeof number === 'number') {
    if (!Number.isFinite(number)) throw new Error(`google.protobuf.Value cannot hold ${number} in JSON`);
    return number;
  }
  const text = own(value, names.stringValue);
  if (typeof text === 'string') return text;
  const bool = own(value, names.boolValue);
  if (typeof bool === 'boolean') return bool;
  const struct = own(value, names.structValue);
  if (isRecord(struct)) return structToJson(struct);
  const list = own(value, names.listValue);
  if (isRecord(list)) return listToJson(list);
  throw new Error('google.protobuf.Value has no kind set');
}

/** The special JSON for a well-known type, or undefined when the type is an ordinary message. */
export function wellKnownToJson(type: protobuf.Type, message: MessageFields): JsonValue | undefined {
  const wrapped = WRAPPER_SCALARS[type.fullName];
  if (wrapped) return scalarToJson(wrapped, message.value);
  switch (type.fullName) {
    case DURATION:
      return formatDuration(secondsNanos(message));
    case TIMESTAMP:
      return formatTimestamp(secondsNanos(message));
    case FIELD_MASK:
      return (Array.isArray(message.paths) ? message.paths : []).map((p) => snakeToLowerCamel(String(p))).join(',');
    case STRUCT:
      return structToJson(message);
    case VALUE:
      return valueToJson(message);
    case LIST_VALUE:
      return listToJson(message);
    default:
      return undefined;
  }
}

function structFromJson(json: unknown, where: string): object {
  if (!isRecord(json)) throw new Error(`${where}: expected an object for google.protobuf.Struct`);
  const fields: Record<string, object> = {};
  for (const [key, value] of Object.entries(json)) fields[key] = valueFromJson(value, `${where}.${key}`);
  return { fields };
}

function listFromJson(json: unknown, where: string): object {
  if (!Array.isArray(json)) throw new Error(`${where}: expected an array for google.protobuf.ListValue`);
  return { values: json.map((v: unknown, i) => valueFromJson(v, `${where}[${i}]`)) };
}

function valueFromJson(json: unknown, where: string): object {
  const names = valueFields();
  if (json === null) return { [names.nullValue]: 'NULL_VALUE' };
  if (typeof json === 'number') return { [names.numberValue]: json };
  if (typeof json === 'string') return { [names.stringValue]: json };
  if (typeof json === 'boolean') return { [names.boolValue]: json };
  if (Array.isArray(json)) return { [names.listValue]: listFromJson(json, where) };
  if (isRecord(json)) return { [names.structValue]: structFromJson(json, where) };
  throw new Error(`${where}: ${String(json)} is not JSON`);
}

/** Proto-loader object form for a well-known type's special JSON, or undefined for ordinary messages. */
export function wellKnownFromJson(type: protobuf.Type, json: unknown, where: string): object | undefined {
  const wrapped = WRAPPER_SCALARS[type.fullName];
  if (wrapped) return { value: scalarFromJson(wrapped, json, where) };
  const expectString = (): string => {
    if (typeof json !== 'string') throw new Error(`${where}: expected a string for ${type.fullName.slice(1)}`);
    return json;
  };
  switch (type.fullName) {
    case DURATION:
      return parseDuration(expectString());
    case TIMESTAMP:
      return parseTimestamp(expectString());
    case FIELD_MASK: {
      const text = expectString();
      return { paths: text === '' ? [] : text.split(',').map(lowerCamelToSnake) };
    }
    case STRUCT:
      return structFromJson(json, where);
    case VALUE:
      return valueFromJson(json, where);
    case LIST_VALUE:
      return listFromJson(json, where);
    default:
      return undefined;
  }
}
