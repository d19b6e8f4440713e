// JSON for /debug/xds, produced in chunks and bounded. JSON.stringify of everything at once
// blocked the event loop for 4–13 s with 40 streams carrying 3.9 MB NACK messages, and then threw
// RangeError (Invalid string length); the process exited. Here every string, array and object is
// cut at a bound with a marker saying what was left out, the whole output stops at `maxChars`
// (still valid JSON), and the caller writes chunk by chunk, yielding to the event loop in between.
import { boundText } from '../protocol/bounded-text.js';

export interface JsonBounds {
  /** Longer strings are cut, with a marker saying how long they were. */
  maxStringChars: number;
  /** Further items are replaced by one string saying how many were left out. */
  maxArrayItems: number;
  /** Further keys are replaced by one key "…" saying how many were left out. */
  maxObjectKeys: number;
  /** Deeper values are replaced by a marker. */
  maxDepth: number;
  /** Once the output is this long, remaining items and keys are left out (containers still close). */
  maxChars: number;
  /** Characters per chunk handed to the caller. */
  chunkChars: number;
}

export const DEBUG_JSON_BOUNDS: JsonBounds = {
  maxStringChars: 2048,
  maxArrayItems: 1_000,
  maxObjectKeys: 1_000,
  maxDepth: 12,
  maxChars: 16 * 1024 * 1024,
  chunkChars: 64 * 1024,
};

/**
 * /debug/config_dump: Envoy resources nest deeper than 12 levels (a listener's filter chain's HTTP
 * filter's typed config …) and carry longer strings (certificates), so those bounds are wider;
 * the whole output is bounded the same.
 */
export const CONFIG_DUMP_BOUNDS: JsonBounds = {
  ...DEBUG_JSON_BOUNDS,
  maxStringChars: 64 * 1024,
  maxArrayItems: 10_000,
  maxObjectKeys: 10_000,
  maxDepth: 64,
};

/** Pretty-printed (2 spaces) JSON of `value`, in chunks of about `bounds.chunkChars`. */
export function* boundedJson(value: unknown, bounds: JsonBounds = DEBUG_JSON_BOUNDS): Generator<string, void, undefined> {
  const writer = new ChunkWriter(bounds);
  yield* writer.value(value, 0);
  yield* writer.flush();
}

class ChunkWriter {
  private pending: string[] = [];
  private pendingChars = 0;
  private written = 0;

  constructor(private readonly bounds: JsonBounds) {}

  private get full(): boolean {
    return this.written + this.pendingChars >= this.bounds.maxChars;
  }

  *value(value: unknown, depth: number): Generator<string, void, undefined> {
    const json = toJsonValue(value);
    if (json === undefined || json === null || typeof json === 'number' || typeof json === 'boolean') {
      // As JSON.stringify: undefined (in an array) and non-finite numbers are null.
      yield* this.emit(json === undefined || (typeof json === 'number' && !Number.isFinite(json)) ? 'null' : String(json));
    } else if (typeof json === 'string') {
      yield* this.emit(JSON.stringify(boundText(json, this.bounds.maxStringChars)));
    } else if (depth >= this.bounds.maxDepth) {
      yield* this.emit(JSON.stringify(`… nested deeper than ${this.bounds.maxDepth} levels, not shown`));
    } else if (Array.isArray(json)) {
      yield* this.array(json, depth);
    } else {
      yield* this.object(json, depth);
    }
  }

  private *array(items: readonly unknown[], depth: number): Generator<string, void, undefined> {
    if (items.length === 0) return yield* this.emit('[]');
    const indent = '\n' + '  '.repeat(depth + 1);
    yield* this.emit('[');
    let shown = 0;
    for (const item of items) {
      if (shown >= this.bounds.maxArrayItems || this.full) break;
      yield* this.emit(shown === 0 ? indent : ',' + indent);
      yield* this.value(item, depth + 1);
      shown += 1;
    }
    if (shown < items.length) yield* this.emit(`${shown === 0 ? '' : ','}${indent}${JSON.stringify(`… ${items.length - shown} more items not shown`)}`);
    yield* this.emit('\n' + '  '.repeat(depth) + ']');
  }

  private *object(object: object, depth: number): Generator<string, void, undefined> {
    const entries = Object.entries(object).filter(([, v]) => toJsonValue(v) !== undefined);
    if (entries.length === 0) return yield* this.emit('{}');
    const indent = '\n' + '  '.repeat(depth + 1);
    yield* this.emit('{');
    let shown = 0;
    for (const [key, item] of entries) {
      if (shown >= this.bounds.maxObjectKeys || this.full) break;
      yield* this.emit(`${shown === 0 ? '' : ','}${indent}${JSON.stringify(boundText(key, this.bounds.maxStringChars))}: `);
      yield* this.value(item, depth + 1);
      shown += 1;
    }
    if (shown < entries.length) yield* this.emit(`${shown === 0 ? '' : ','}${indent}"…": ${JSON.stringify(`${entries.length - shown} more keys not shown`)}`);
    yield* this.emit('\n' + '  '.repeat(depth) + '}');
  }

  private *emit(text: string): Generator<string, void, undefined> {
    this.pending.push(text);
    this.pendingChars += text.length;
    if (this.pendingChars >= this.bounds.chunkChars) yield* this.flush();
  }

  *flush(): Generator<string, void, undefined> {
    if (this.pendingChars === 0) return;
    const chunk = this.pending.join('');
    this.written += chunk.length;
    this.pending = [];
    this.pendingChars = 0;
    yield chunk;
  }
}

/** What JSON.stringify would see: toJSON applied; undefined for what it leaves out. */
function toJsonValue(value: unknown): unknown {
  if (typeof value === 'object' && value !== null && typeof Reflect.get(value, 'toJSON') === 'function') {
    return (Reflect.get(value, 'toJSON') as () => unknown).call(value);
  }
  if (typeof value === 'function' || typeof value === 'symbol' || value === undefined) return undefined;
  if (typeof value === 'bigint') return String(value);
  return value;
}
