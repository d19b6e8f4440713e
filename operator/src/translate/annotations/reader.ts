// Typed reads of one Ingress's nginx annotations. Every family parser (redirects.ts, proxy.ts,
// upstream.ts, …) reads through this, so a bad value is reported the same way everywhere: naming
// the annotation and the value, and saying what applies instead.
import { isIP } from 'node:net';
import { hasControlCharacter, quoted } from '../../util/characters.js';
import { NGINX_PREFIX } from './prefix.js';

export interface AnnotationProblem {
  annotation: string;
  severity: 'error' | 'warning';
  message: string;
  /**
   * The annotation guards access and its value cannot be honoured: the Ingress must not be served
   * as if it were not there (fail closed, translate-fleet.ts).
   */
  closes?: true;
}

/** ingress-nginx sizes: a number with an optional k/m/g suffix (nginx's units, powers of 1024). */
const NGINX_SIZE = /^([0-9]{1,10})([kKmMgG]?)$/;
const SIZE_MULTIPLIER: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };
/** Envoy's byte limits are UInt32 fields. */
const MAX_SIZE_BYTES = 2 ** 32 - 1;
/** How many bad items of a list a message quotes before it only counts the rest. */
const QUOTED_ITEMS = 5;

/** Bad list items for a message: the first few quoted, then how many more (a list may be huge). */
export function describeInvalid(items: readonly string[]): string {
  const shown = items.slice(0, QUOTED_ITEMS).map((item) => quoted(item.length > 64 ? `${item.slice(0, 64)}…` : item)).join(', ');
  return items.length > QUOTED_ITEMS ? `${shown} and ${items.length - QUOTED_ITEMS} more` : shown;
}

export class AnnotationReader {
  readonly problems: AnnotationProblem[] = [];
  /** Annotations some family read, so the rest can be reported as unknown. */
  readonly read = new Set<string>();

  constructor(private readonly annotations: Readonly<Record<string, string>>) {}

  /** The raw value of `nginx.ingress.kubernetes.io/<name>`, marking it read. */
  raw(name: string): string | undefined {
    const key = NGINX_PREFIX + name;
    this.read.add(key);
    return this.annotations[key];
  }

  has(name: string): boolean {
    return this.annotations[NGINX_PREFIX + name] !== undefined;
  }

  error(name: string, message: string, closes?: boolean): void {
    this.problems.push({ annotation: NGINX_PREFIX + name, severity: 'error', message, ...(closes ? { closes: true as const } : {}) });
  }

  warn(name: string, message: string): void {
    this.problems.push({ annotation: NGINX_PREFIX + name, severity: 'warning', message });
  }

  flag(name: string, fallback: boolean): boolean {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (value === 'true' || value === 'false') return value === 'true';
    this.error(name, `must be "true" or "false", not ${quoted(value)}; the default (${fallback}) applies`);
    return fallback;
  }

  /** A printable, non-empty value without whitespace or control characters. */
  token(name: string, what: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    if (value === '' || /\s/.test(value) || hasControlCharacter(value)) {
      this.error(name, `must be ${what}, not ${quoted(value)}; ignored`);
      return undefined;
    }
    return value;
  }

  /** Whole seconds as ingress-nginx writes timeouts ("60"); also accepts "60s". */
  seconds(name: string, max = 86_400): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const match = /^([0-9]{1,6})s?$/.exec(value.trim());
    const seconds = match ? Number(match[1]) : NaN;
    if (!(seconds <= max)) {
      this.error(name, `must be a whole number of seconds up to ${max}, such as "60", not ${quoted(value)}; ignored`);
      return undefined;
    }
    return seconds;
  }

  /** An nginx size ("8m", "512k", "0"); bytes, below `max` (Envoy's 32-bit byte counts by default). */
  size(name: string, max = MAX_SIZE_BYTES): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const match = NGINX_SIZE.exec(value.trim());
    if (!match) {
      this.error(name, `must be a size such as "8m", "512k" or "0" (nginx units: k, m, g), not ${quoted(value)}; ignored`);
      return undefined;
    }
    const bytes = Number(match[1]) * (SIZE_MULTIPLIER[(match[2] ?? '').toLowerCase()] ?? 1);
    if (bytes > max) {
      this.error(name, `${quoted(value)} is too large: Envoy counts at most ${max} bytes (just under 4g); ignored`);
      return undefined;
    }
    return bytes;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const number = /^-?[0-9]{1,10}$/.test(value.trim()) ? Number(value.trim()) : NaN;
    if (!(number >= min && number <= max)) {
      this.error(name, `must be a whole number from ${min} to ${max}, not ${quoted(value)}; ignored`);
      return undefined;
    }
    return number;
  }

  oneOf<T extends string>(name: string, values: readonly T[], options: { caseInsensitive?: boolean } = {}): T | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    const found = values.find((v) => (options.caseInsensitive ? v.toLowerCase() === value.trim().toLowerCase() : v === value.trim()));
    if (found === undefined) this.error(name, `must be one of ${values.map((v) => quoted(v)).join(', ')}, not ${quoted(value)}; ignored`);
    return found;
  }

  /** A comma-separated list, items trimmed, empty items dropped. */
  list(name: string): string[] | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  }

  /**
   * CIDRs (or bare addresses) separated by commas, normalised to address/prefix. A bad entry is
   * returned in `invalid` so an access-control family can refuse rather than drop it silently.
   */
  cidrs(name: string): { cidrs: string[]; invalid: string[] } | undefined {
    const items = this.list(name);
    if (items === undefined) return undefined;
    const cidrs: string[] = [];
    const invalid: string[] = [];
    for (const item of items) {
      const cidr = normaliseCidr(item);
      if (cidr === undefined) invalid.push(item);
      else cidrs.push(cidr);
    }
    return { cidrs, invalid };
  }
}

/** `10.0.0.0/8` stays, `10.1.2.3` becomes `10.1.2.3/32`; undefined when not an address or prefix. */
export function normaliseCidr(text: string): string | undefined {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return undefined;
  const max = family === 4 ? 32 : 128;
  if (prefix === undefined) return `${address}/${max}`;
  if (!/^[0-9]{1,3}$/.test(prefix) || Number(prefix) > max) return undefined;
  return `${address}/${Number(prefix)}`;
}
