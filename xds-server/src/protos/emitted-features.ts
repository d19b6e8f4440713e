// The Envoy API surface a message uses: every field set (`Listener.filter_chains`), every enum
// value chosen (`ApiConfigSource.api_type: DELTA_GRPC`) and every typed extension packed in an
// Any (`envoy.extensions.filters.http.router.v3.Router`). docs/envoy-compatibility.md must have a
// row for each, so what Portico sends can be checked against the Envoy release it ships.
import protobuf from 'protobufjs';
import { messageType } from './envoy-protos.js';
import { isRecord, typeForUrl } from './proto-reflect.js';

const ANY = 'google.protobuf.Any';

/**
 * Walks `object` (proto-loader object form, as the translator builds it) as the message
 * `typeName`, adding what it uses to `into`. Well-known types (Duration, wrappers, Struct) are
 * leaves: their insides are values, not Envoy features. Throws on an Any whose type is not loaded,
 * since its fields could not be seen.
 */
export function collectEmittedFeatures(typeName: string, object: object, into: Set<string> = new Set()): Set<string> {
  walkMessage(messageType(typeName), object as Record<string, unknown>, into);
  return into;
}

function walkMessage(type: protobuf.Type, object: Record<string, unknown>, into: Set<string>): void {
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || value === null || key === '@type') continue;
    const field = type.fields[key];
    if (!field) throw new Error(`${type.fullName.slice(1)} has no field ${JSON.stringify(key)}`);
    into.add(`${type.name}.${field.name}`);
    const values = Array.isArray(value) ? value : field.map && isRecord(value) ? Object.values(value) : [value];
    for (const item of values) walkValue(type, field, item, into);
  }
}

function walkValue(owner: protobuf.Type, field: protobuf.Field, value: unknown, into: Set<string>): void {
  field.resolve();
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const name = typeof value === 'number' ? resolved.valuesById[value] : String(value);
    into.add(`${owner.name}.${field.name}: ${name ?? String(value)}`);
    return;
  }
  if (!(resolved instanceof protobuf.Type) || !isRecord(value)) return;
  const fullName = resolved.fullName.slice(1);
  if (fullName === ANY) {
    const typeUrl = String(value['@type'] ?? '');
    const packed = typeForUrl(typeUrl);
    if (!packed) throw new Error(`${owner.name}.${field.name}: typed config ${JSON.stringify(typeUrl)} is not a loaded message`);
    into.add(packed.fullName.slice(1));
    walkMessage(packed, value, into);
    return;
  }
  if (fullName.startsWith('google.protobuf.')) return;
  walkMessage(resolved, value, into);
}
