// Reads protoc-gen-validate annotations off protobufjs reflection objects. protobufjs keeps them
// as plain parsed option values, so every accessor here narrows from unknown.
import type protobuf from 'protobufjs';
import { isRecord, toBigInt } from './proto-reflect.js';

/** One level of a PGV rules message, e.g. FieldRules `{ string: {...} }` or StringRules `{ min_len: 1 }`. */
export type Rules = Readonly<Record<string, unknown>>;

const RULES_OPTION = '(validate.rules)';

function deepMerge(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isRecord(existing) && isRecord(value)) deepMerge(existing, value);
    else target[key] = isRecord(value) ? structuredClone(value) : value;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) {
    deepMerge(target, { [head]: value });
    return;
  }
  const child = isRecord(target[head]) ? target[head] : (target[head] = {});
  setPath(child, rest, value);
}

const cache = new WeakMap<protobuf.Field, Rules | null>();

/**
 * The FieldRules of a field. protobufjs records `[(validate.rules).string = {...}]` and
 * `[(validate.rules).string.min_len = 1]` differently and may split one field's rules over several
 * parsedOptions entries, so they are merged into one object.
 */
export function fieldRules(field: protobuf.Field): Rules | undefined {
  let rules = cache.get(field);
  if (rules === undefined) {
    const merged: Record<string, unknown> = {};
    const entries: unknown = field.parsedOptions;
    for (const entry of Array.isArray(entries) ? entries : []) {
      if (!isRecord(entry)) continue;
      for (const [name, value] of Object.entries(entry)) {
        if (name === RULES_OPTION && isRecord(value)) deepMerge(merged, value);
        else if (name.startsWith(RULES_OPTION + '.')) setPath(merged, name.slice(RULES_OPTION.length + 1).split('.'), value);
      }
    }
    rules = Object.keys(merged).length > 0 ? merged : null;
    cache.set(field, rules);
  }
  return rules ?? undefined;
}

function option(object: protobuf.ReflectionObject, name: string): unknown {
  return object.options?.[name];
}

export function oneofRequired(oneof: protobuf.OneOf): boolean {
  return option(oneof, '(validate.required)') === true;
}

/** `disabled` turns the message's rules off; `ignored` means PGV generated no validator for it. */
export function messageValidationOff(type: protobuf.Type): boolean {
  return option(type, '(validate.disabled)') === true || option(type, '(validate.ignored)') === true;
}

export function sub(rules: Rules | undefined, key: string): Rules | undefined {
  const value = rules?.[key];
  return isRecord(value) ? value : undefined;
}

export function flag(rules: Rules | undefined, key: string): boolean {
  return rules?.[key] === true;
}

export function has(rules: Rules | undefined, key: string): boolean {
  return rules !== undefined && rules[key] !== undefined && rules[key] !== null;
}

/** Repeated rule values come back as a bare value when the .proto lists a single one. */
export function list(rules: Rules | undefined, key: string): unknown[] | undefined {
  const value = rules?.[key];
  if (value === undefined || value === null) return undefined;
  return Array.isArray(value) ? value : [value];
}

export function int(rules: Rules | undefined, key: string): bigint | undefined {
  return has(rules, key) ? toBigInt(rules?.[key]) : undefined;
}

export function text(rules: Rules | undefined, key: string): string | undefined {
  const value = rules?.[key];
  return typeof value === 'string' ? value : undefined;
}
