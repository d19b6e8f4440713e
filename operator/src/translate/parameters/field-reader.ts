// Reads an untyped JSON value field by field, filling defaults and collecting every problem with
// the path of the field it is about, as the API server's own validation messages do. Used for
// parameters from manifests, which never passed the CRD's schema.

export class FieldReader {
  readonly problems: string[] = [];

  /** An object with only the named fields; undefined (or null) reads as an empty object. */
  object(path: string, value: unknown, fields: readonly string[]): Record<string, unknown> {
    if (value === undefined || value === null) return {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.problems.push(`${path}: must be an object`);
      return {};
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record).sort()) {
      if (!fields.includes(key)) this.problems.push(`${path}.${key}: unknown field (known: ${fields.join(', ')})`);
    }
    return record;
  }

  has(record: Record<string, unknown>, field: string): boolean {
    return record[field] !== undefined && record[field] !== null;
  }

  string(path: string, value: unknown, fallback: string, check?: (text: string) => string | undefined): string {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string') return this.fail(path, `must be a string, not ${JSON.stringify(value)}`, fallback);
    const problem = check?.(value);
    return problem ? this.fail(path, problem, fallback) : value;
  }

  integer(path: string, value: unknown, fallback: number, min: number, max: number): number {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) return this.fail(path, `must be an integer, not ${JSON.stringify(value)}`, fallback);
    if (value < min || value > max) return this.fail(path, `must be between ${min} and ${max}, not ${value}`, fallback);
    return value;
  }

  boolean(path: string, value: unknown, fallback: boolean): boolean {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') return this.fail(path, `must be true or false, not ${JSON.stringify(value)}`, fallback);
    return value;
  }

  oneOf<T extends string>(path: string, value: unknown, fallback: T, allowed: readonly T[]): T {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      return this.fail(path, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, not ${JSON.stringify(value)}`, fallback);
    }
    return value as T;
  }

  list(path: string, value: unknown, minItems: number, maxItems: number): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.fail(path, 'must be a list', []);
    if (value.length < minItems || value.length > maxItems) return this.fail(path, `must have ${minItems} to ${maxItems} items, not ${value.length}`, []);
    return value;
  }

  problem(path: string, message: string): void {
    this.problems.push(`${path}: ${message}`);
  }

  private fail<T>(path: string, message: string, fallback: T): T {
    this.problems.push(`${path}: ${message}`);
    return fallback;
  }
}
