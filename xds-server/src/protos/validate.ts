// Checks Envoy messages against the protoc-gen-validate rules in their .proto files, so a config
// Envoy would NACK fails in our tests and before we serve it. Envoy runs PGV's C++ validators; no
// maintained JavaScript library reads (validate.rules), hence this walker (see
// docs/decisions/0002-proto-json-and-pgv.md). It also looks inside Anys, which Envoy validates
// when it unpacks a typed_config.
//
// Deliberately not implemented (silently ignored, never thrown on): rule kinds that do not match
// the field's type (PGV refuses to generate those), rule kinds added to PGV after this list was
// written, `well_known_regex: UNKNOWN`, and exact RFC 5322 / RFC 3986 parsing for `email`, `uri`
// and `uri_ref` (approximated in pgv-string-formats.ts). No loaded Envoy proto uses them.
import { Buffer } from 'node:buffer';
import protobuf from 'protobufjs';
import { isFieldSet, isRecord, lookupMessage, mapKeyType, mapKeyValue, toBigInt, toMessage, unpackAny, INT64_TYPES, WRAPPER_SCALARS, type MessageFields } from './proto-reflect.js';
import { fieldRules, flag, int, messageValidationOff, oneofRequired, sub, type Rules } from './pgv-rules.js';
import { checkBool, checkBytes, checkEnum, checkNumber, checkString } from './pgv-scalars.js';
import { checkAny, checkDuration, checkTimestamp } from './pgv-well-known.js';

export interface ValidationViolation {
  /** Where in the message, in proto field names: `virtual_hosts[0].routes[2].match.prefix`. */
  path: string;
  message: string;
}

/** Every PGV violation in a message given in proto-loader object form (as `encodeMessage` takes it). */
export function validateMessage(fullName: string, object: object): ValidationViolation[] {
  const type = lookupMessage(fullName);
  const collector = new Collector();
  let message: MessageFields;
  try {
    message = toMessage(type, object);
  } catch (error) {
    collector.add('', [`cannot be converted to ${fullName}: ${(error as Error).message}`]);
    return collector.violations;
  }
  walkMessage(type, message, '', collector);
  return collector.violations;
}

/** Throws an Error listing every violation; for tests and for guarding what we serve. */
export function assertValid(fullName: string, object: object): void {
  const violations = validateMessage(fullName, object);
  if (violations.length === 0) return;
  const lines = violations.map((v) => `  ${v.path || '(message)'}: ${v.message}`);
  throw new Error(`${fullName} has ${violations.length} validation violation(s):\n${lines.join('\n')}`);
}

class Collector {
  readonly violations: ValidationViolation[] = [];
  private readonly seen = new Set<string>();

  add(path: string, messages: readonly string[]): void {
    for (const message of messages) {
      // `message.required` and `duration.required` on one field would otherwise both report.
      const key = `${path}\u0000${message}`;
      if (this.seen.has(key)) continue;
      this.seen.add(key);
      this.violations.push({ path, message });
    }
  }
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function walkMessage(type: protobuf.Type, message: MessageFields, path: string, out: Collector): void {
  if (messageValidationOff(type)) return;
  for (const oneof of type.oneofsArray) checkOneof(oneof, message, path, out);
  for (const field of type.fieldsArray) {
    const rules = fieldRules(field);
    // A field without rules matters only when set (then its message may hold rules); most of a
    // RouteAction's fifty-odd fields are neither, and skipping them halves a route table's check.
    if (!rules && !Object.hasOwn(message, field.name)) continue;
    const fieldPath = join(path, field.name);
    const value = message[field.name];
    if (field.map) checkMap(field, value, rules, fieldPath, out);
    else if (field.repeated) checkRepeated(field, value, rules, fieldPath, out);
    else {
      const present = isFieldSet(field, message);
      // PGV checks a oneof member (or proto3 `optional` field) only when it is the one set.
      if (field.partOf && !present) continue;
      checkElement(field.type, field.resolvedType, value, present, rules, fieldPath, out);
    }
  }
}

function checkOneof(oneof: protobuf.OneOf, message: MessageFields, path: string, out: Collector): void {
  const members = oneof.fieldsArray.map((f) => f.name);
  const set = oneof.fieldsArray.filter((f) => isFieldSet(f, message)).map((f) => f.name);
  if (set.length === 0 && oneofRequired(oneof)) out.add(join(path, oneof.name), [`value is required: set one of ${members.join(', ')}`]);
  // protobufjs would encode every member given and Envoy keep the last one: never what was meant.
  if (set.length > 1) out.add(join(path, oneof.name), [`only one of ${members.join(', ')} may be set, found ${set.join(', ')}`]);
}

/** One value of a field, repeated item or map value. */
function checkElement(elementType: string, resolved: protobuf.Type | protobuf.Enum | null, value: unknown, present: boolean, rules: Rules | undefined, path: string, out: Collector): void {
  if (resolved instanceof protobuf.Type) {
    checkMessageValue(resolved, present && isRecord(value) ? value : undefined, rules, path, out);
  } else if (resolved instanceof protobuf.Enum) {
    const enumRules = sub(rules, 'enum');
    if (enumRules) out.add(path, checkEnum(resolved, value ?? 0, enumRules));
  } else {
    out.add(path, checkScalar(elementType, value, rules));
  }
}

/** PGV names each scalar rule set after the proto type it applies to, e.g. `uint32` or `sfixed64`. */
function checkScalar(scalarType: string, value: unknown, rules: Rules | undefined): string[] {
  const scalarRules = sub(rules, scalarType);
  if (!scalarRules) return [];
  switch (scalarType) {
    case 'string':
      return checkString(typeof value === 'string' ? value : '', scalarRules);
    case 'bytes':
      return checkBytes(value, scalarRules);
    case 'bool':
      return checkBool(value === true, scalarRules);
    default:
      return checkNumber(scalarType, value ?? 0, scalarRules);
  }
}

// protobufjs computes fullName by walking the parents on every read: at 100,000 routes that was a
// quarter of a route table's validation.
const fullNames = new WeakMap<protobuf.Type, string>();

function fullNameOf(type: protobuf.Type): string {
  let name = fullNames.get(type);
  if (name === undefined) {
    name = type.fullName;
    fullNames.set(type, name);
  }
  return name;
}

function checkMessageValue(type: protobuf.Type, value: MessageFields | undefined, rules: Rules | undefined, path: string, out: Collector): void {
  const messageRules = sub(rules, 'message');
  if (flag(messageRules, 'required') && !value) out.add(path, ['value is required']);
  const typeName = fullNameOf(type);
  const wrapped = WRAPPER_SCALARS[typeName];
  // Wrapper fields carry the scalar rules of what they wrap, applied only when the wrapper is set.
  if (wrapped && value) out.add(path, checkScalar(wrapped, value.value, rules));
  const duration = sub(rules, 'duration');
  if (duration && typeName === '.google.protobuf.Duration') out.add(path, checkDuration(value, duration));
  const timestamp = sub(rules, 'timestamp');
  if (timestamp && typeName === '.google.protobuf.Timestamp') out.add(path, checkTimestamp(value, timestamp));
  const any = sub(rules, 'any');
  if (any && typeName === '.google.protobuf.Any') out.add(path, checkAny(value, any));
  if (!value || flag(messageRules, 'skip')) return;
  if (typeName !== '.google.protobuf.Any') {
    walkMessage(type, value, path, out);
    return;
  }
  const unpacked = unpackAny(value);
  if (unpacked.ok) walkMessage(unpacked.type, unpacked.message, path, out);
  else out.add(path, [unpacked.reason]);
}

function uniqueKey(elementType: string, value: unknown): string {
  if (INT64_TYPES.has(elementType)) return toBigInt(value).toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return String(value);
}

function checkRepeated(field: protobuf.Field, value: unknown, rules: Rules | undefined, path: string, out: Collector): void {
  const items: unknown[] = Array.isArray(value) ? value : [];
  const repeated = sub(rules, 'repeated');
  if (repeated && !(flag(repeated, 'ignore_empty') && items.length === 0)) {
    const count = BigInt(items.length);
    const min = int(repeated, 'min_items');
    if (min !== undefined && count < min) out.add(path, [`value must contain at least ${min} item(s)`]);
    const max = int(repeated, 'max_items');
    if (max !== undefined && count > max) out.add(path, [`value must contain no more than ${max} item(s)`]);
    // PGV only allows `unique` on scalars and enums.
    if (flag(repeated, 'unique') && !(field.resolvedType instanceof protobuf.Type)) {
      const keys = items.map((item) => uniqueKey(field.type, item));
      if (new Set(keys).size !== keys.length) out.add(path, ['repeated value must contain unique items']);
    }
  }
  const itemRules = sub(repeated, 'items');
  items.forEach((item, i) => checkElement(field.type, field.resolvedType, item, item != null, itemRules, `${path}[${i}]`, out));
}

function checkMap(field: protobuf.Field, value: unknown, rules: Rules | undefined, path: string, out: Collector): void {
  const entries = isRecord(value) ? Object.entries(value) : [];
  const map = sub(rules, 'map');
  if (map && !(flag(map, 'ignore_empty') && entries.length === 0)) {
    const count = BigInt(entries.length);
    const min = int(map, 'min_pairs');
    if (min !== undefined && count < min) out.add(path, [`value must contain at least ${min} pair(s)`]);
    const max = int(map, 'max_pairs');
    if (max !== undefined && count > max) out.add(path, [`value must contain no more than ${max} pair(s)`]);
    if (flag(map, 'no_sparse') && field.resolvedType instanceof protobuf.Type && entries.some(([, v]) => v == null)) {
      out.add(path, ['value cannot be sparse, all pairs must be non-nil']);
    }
  }
  const keyType = mapKeyType(field);
  const keyRules = sub(map, 'keys');
  const valueRules = sub(map, 'values');
  for (const [key, entry] of entries) {
    const entryPath = `${path}[${JSON.stringify(key)}]`;
    if (keyRules) out.add(entryPath, checkScalar(keyType, mapKeyValue(keyType, key), keyRules).map((m) => `map key: ${m}`));
    checkElement(field.type, field.resolvedType, entry, entry != null, valueRules, entryPath, out);
  }
}
