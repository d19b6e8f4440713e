// Cross-origin resource sharing (enable-cors and its cors-* settings), read as ingress-nginx reads
// them (internal/ingress/annotations/cors/main.go): the same defaults, the same value checks, and
// a bad value falls back to the default, as there. Envoy's cors filter answers for the route
// (envoy/http-filters/cors.ts).
import type { IrCors } from '../../ir/types.js';
import { quoted } from '../../util/characters.js';
import { checkRe2 } from '../regex.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

export const CORS_ROWS: readonly AnnotationEntry[] = [
  { name: 'enable-cors', support: 'approximated', note: 'Envoy answers a preflight (OPTIONS with Origin and Access-Control-Request-Method) with 200, not 204, and only when the origin is allowed (others go to the backend, as in nginx); it adds CORS headers only to requests that carry an allowed Origin. A plain-HTTP preflight on a host redirected to HTTPS gets the 308' },
  { name: 'cors-allow-origin', support: 'approximated', note: 'Envoy echoes the request\'s Origin where nginx sends `*`; so with `*` Portico sends no Access-Control-Allow-Credentials, which browsers ignore next to nginx\'s `*` anyway. Origins are matched whole (nginx anchors only the end). An item that is not an origin is skipped, where nginx then allows `*`' },
  { name: 'cors-allow-methods', support: 'honoured' },
  { name: 'cors-allow-headers', support: 'honoured' },
  { name: 'cors-expose-headers', support: 'honoured' },
  { name: 'cors-allow-credentials', support: 'honoured', note: 'not sent when cors-allow-origin is `*` (see there)' },
  { name: 'cors-max-age', support: 'honoured' },
];

const CORS_SETTINGS = ['cors-allow-origin', 'cors-allow-methods', 'cors-allow-headers', 'cors-expose-headers', 'cors-allow-credentials', 'cors-max-age'] as const;

export const DEFAULT_CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'OPTIONS'];
export const DEFAULT_CORS_HEADERS = ['DNT', 'Keep-Alive', 'User-Agent', 'X-Requested-With', 'If-Modified-Since', 'Cache-Control', 'Content-Type', 'Range', 'Authorization'];
export const DEFAULT_CORS_MAX_AGE_SECONDS = 1_728_000;

/** One origin as ingress-nginx accepts it: scheme://host[:port] with an optional `*.` first label, or `null`. */
const ORIGIN = /^([a-z]+:\/\/(\*\.)?[A-Za-z0-9\-.]*(:\d+)?|null)$/;
const METHODS = /^([A-Za-z]+,?\s?)+$/;
const HEADERS = /^[A-Za-z0-9-_, ]*$/;
const EXPOSE_HEADERS = /^(([A-Za-z0-9\-_]+|\*),?\s?)+$/;
const MAX_AGE = 2_147_483_647;

/** The CORS policy of the Ingress; undefined when enable-cors is not "true" or no origin is allowed. */
export function readCors(reader: AnnotationReader): IrCors | undefined {
  if (!reader.flag('enable-cors', false)) {
    for (const name of CORS_SETTINGS) {
      if (reader.raw(name) !== undefined) reader.warn(name, 'has no effect without nginx.ingress.kubernetes.io/enable-cors: "true"');
    }
    return undefined;
  }
  const { exact, regexes } = readOrigins(reader);
  const cors: IrCors = {
    allowOrigins: exact,
    allowMethods: items(reader, 'cors-allow-methods', METHODS, 'HTTP methods separated by commas', DEFAULT_CORS_METHODS),
    allowHeaders: items(reader, 'cors-allow-headers', HEADERS, 'header names (letters, digits, - and _) separated by commas', DEFAULT_CORS_HEADERS),
    exposeHeaders: items(reader, 'cors-expose-headers', EXPOSE_HEADERS, 'header names (letters, digits, - and _) or `*`, separated by commas', []),
    maxAgeSeconds: readMaxAge(reader),
    allowCredentials: reader.flag('cors-allow-credentials', true),
  };
  if (regexes.length > 0) cors.allowOriginRegexes = regexes;
  return exact.length > 0 || regexes.length > 0 ? cors : undefined;
}

/**
 * ingress-nginx: absent or empty → `*`; any `*` item → `*`; an item that is not an origin is
 * skipped. A wildcard subdomain (`https://*.example.com`) becomes an RE2 allowing one label there.
 */
function readOrigins(reader: AnnotationReader): { exact: string[]; regexes: string[] } {
  const value = reader.raw('cors-allow-origin');
  if (value === undefined || value.trim() === '') return { exact: ['*'], regexes: [] };
  const exact = new Set<string>();
  const regexes = new Set<string>();
  for (const item of value.split(',').map((i) => i.trim()).filter((i) => i !== '')) {
    if (item === '*') return { exact: ['*'], regexes: [] };
    if (!ORIGIN.test(item)) {
      reader.error('cors-allow-origin', `${quoted(item)} is not an origin such as "https://app.example.com", "https://*.example.com:8443", "null" or "*"; that item is skipped`);
      continue;
    }
    if (!item.includes('*')) {
      exact.add(item);
      continue;
    }
    const regex = wildcardOriginRegex(item);
    const checked = checkRe2(regex);
    if (checked.ok) regexes.add(regex);
    else reader.error('cors-allow-origin', `${quoted(item)} makes a regular expression that is ${checked.reason}; that item is skipped`);
  }
  if (exact.size === 0 && regexes.size === 0) reader.error('cors-allow-origin', 'allows no origin, so no request gets CORS headers (as ingress-nginx)');
  return { exact: [...exact], regexes: [...regexes] };
}

/** `https://*.example.com:8443` → one label of letters, digits and `-` in place of `*`, case-insensitive (nginx's `~*`). */
export function wildcardOriginRegex(origin: string): string {
  const [before = '', after = ''] = origin.split('*.');
  return `(?i)${escapeRe2(before)}[A-Za-z0-9-]+\\.${escapeRe2(after)}`;
}

function escapeRe2(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function readMaxAge(reader: AnnotationReader): number {
  const value = reader.raw('cors-max-age');
  if (value === undefined) return DEFAULT_CORS_MAX_AGE_SECONDS;
  const seconds = /^[0-9]{1,10}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (seconds <= MAX_AGE) return seconds;
  reader.error('cors-max-age', `must be a whole number of seconds, not ${quoted(value)}; the default (${DEFAULT_CORS_MAX_AGE_SECONDS}) applies`);
  return DEFAULT_CORS_MAX_AGE_SECONDS;
}

/** A comma-separated list; a value ingress-nginx would refuse (or an empty one) gives the default. */
function items(reader: AnnotationReader, name: string, valid: RegExp, what: string, fallback: string[]): string[] {
  const value = reader.raw(name);
  if (value === undefined) return fallback;
  const trimmed = value.trim();
  if (trimmed === '' || !valid.test(trimmed)) {
    reader.error(name, `must be ${what}, not ${quoted(value)}; the default (${fallback.length > 0 ? quoted(fallback.join(',')) : 'none'}) applies`);
    return fallback;
  }
  return trimmed.split(',').map((i) => i.trim()).filter((i) => i !== '');
}
