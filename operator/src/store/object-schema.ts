// Checks a raw object against the Kubernetes OpenAPI schema of its kind before anything reads it,
// so translation only ever sees objects of the shape their types promise. The API server does this
// for cluster mode; manifest files (standalone mode, `portico translate`) never met one. The schemas
// are those a real kube-apiserver serves (schemas/kubernetes-openapi.json, written by
// e2e/apiserver/dump-openapi-schemas.ts). Portico's own CRDs are checked field by field by
// translate/parameters/read-parameters-spec.ts, which a test keeps in step with the CRDs.
import { Ajv } from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import openApi from './schemas/kubernetes-openapi.json' with { type: 'json' };
import type { SupportedKind } from './cluster-state.js';

type SchemaKind = Exclude<SupportedKind, 'IngressClassParameters' | 'ClusterIngressClassParameters'>;

/** At most this many problems are named per object: the first few say what is wrong. */
const MAX_PROBLEMS = 5;
const INT32 = 2 ** 31;

let validators: Map<SchemaKind, ValidateFunction> | undefined;

function compiled(): Map<SchemaKind, ValidateFunction> {
  if (validators) return validators;
  // OpenAPI's `x-kubernetes-*` keywords and formats are not JSON Schema: strict mode would refuse them.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true, formats: { 'int-or-string': true, 'date-time': true, byte: true, int64: true, double: true, int32: { type: 'number', validate: (n: number) => n >= -INT32 && n < INT32 } } });
  ajv.addSchema({ components: { schemas: openApi.schemas } }, 'openapi');
  validators = new Map(
    (Object.entries(openApi.kinds) as [SchemaKind, string][]).map(([kind, name]) => [kind, ajv.compile({ $ref: `openapi#/components/schemas/${name}` })]),
  );
  return validators;
}

/** The object as the API server would read it (nulls dropped), or what does not fit the schema. */
export type SchemaCheck = { ok: true; object: unknown } | { ok: false; problems: string[] };

const problemsByRaw = new WeakMap<object, string[]>();

/**
 * Checks `raw` against the schema of `kind`. Each problem names its field (`spec.rules[0].host:
 * must be string`); values never appear in the messages (a Secret's data could). What passes is
 * the null-dropped form, which is what must be translated (callers keep what they make of it).
 * Refusals are kept per raw object: unchanged documents are the very same objects across reloads.
 */
export function checkSchema(kind: SupportedKind, raw: object): SchemaCheck {
  const known = problemsByRaw.get(raw);
  if (known) return { ok: false, problems: known };
  const object = withoutNulls(raw);
  const validate = compiled().get(kind as SchemaKind);
  if (!validate || validate(object)) return { ok: true, object };
  const problems = describe(validate.errors ?? []);
  problemsByRaw.set(raw, problems);
  return { ok: false, problems };
}

/** What does not fit the schema of `kind`; empty when it fits (see checkSchema). */
export function schemaProblems(kind: SupportedKind, raw: object): string[] {
  const check = checkSchema(kind, raw);
  return check.ok ? [] : check.problems;
}

/** The API server reads `field: null` as an unset field; a null list item stays (and is refused). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== null).map(([key, inner]) => [key, withoutNulls(inner)]));
}

function describe(errors: readonly ErrorObject[]): string[] {
  const messages: string[] = [];
  for (const error of errors) {
    // oneOf (IntOrString) reports each branch and then itself; its own line says it all.
    if (error.keyword !== 'oneOf' && errors.some((e) => e.keyword === 'oneOf' && error.schemaPath.startsWith(e.schemaPath.replace(/\/oneOf$/, '/oneOf/')))) continue;
    const field = fieldPath(error.instancePath, error.keyword === 'required' ? String((error.params as { missingProperty?: string }).missingProperty ?? '') : '');
    const message = error.keyword === 'enum' ? `must be one of ${((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}` : error.keyword === 'oneOf' ? 'must be an integer or a string' : error.keyword === 'required' ? 'is required' : (error.message ?? 'is invalid');
    const line = `${field || '(the object)'}: ${message}`;
    if (!messages.includes(line)) messages.push(line);
  }
  return messages.length > MAX_PROBLEMS ? [...messages.slice(0, MAX_PROBLEMS), `and ${messages.length - MAX_PROBLEMS} more`] : messages;
}

/** `/spec/rules/0/host` → `spec.rules[0].host`; keys that are not plain names are quoted. */
function fieldPath(instancePath: string, child: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (child) parts.push(child);
  let path = '';
  for (const part of parts) {
    if (/^\d+$/.test(part)) path += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) path += path ? `.${part}` : part;
    else path += `[${JSON.stringify(part)}]`;
  }
  return path;
}
