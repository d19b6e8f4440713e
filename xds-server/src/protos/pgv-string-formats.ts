// The `well_known` string formats of protoc-gen-validate, following its Go implementation.
import { isIP, isIPv4, isIPv6 } from 'node:net';
import { RE2JS } from 're2js';

const compiled = new Map<string, RE2JS>();

/** Patterns are RE2 (as in PGV's C++ and Go), compiled once per process. */
export function re2(pattern: string): RE2JS {
  let regex = compiled.get(pattern);
  if (!regex) {
    regex = RE2JS.compile(pattern);
    compiled.set(pattern, regex);
  }
  return regex;
}

// Byte-for-byte PGV's patterns, including the `+-.` range in the name class (which admits ',').
const HTTP_HEADER_NAME = "^:?[0-9a-zA-Z!#$%&'*+-.^_|~`]+$";
const HTTP_HEADER_VALUE = '^[^\u0000-\u0008\u000A-\u001F\u007F]*$';
// With strict: false both header kinds only forbid NUL, LF and CR.
const HEADER_STRING = '^[^\u0000\u000A\u000D]*$';

export interface KnownRegex {
  pattern: string;
  /** PGV prints the raw pattern, which is unreadable for control-character classes. */
  violation: string;
}

/** The regex behind `well_known_regex`, or undefined for UNKNOWN (which PGV treats as no rule). */
export function wellKnownRegex(kind: unknown, strict: boolean): KnownRegex | undefined {
  const name = kind === 1 ? 'HTTP_HEADER_NAME' : kind === 2 ? 'HTTP_HEADER_VALUE' : kind;
  if (name !== 'HTTP_HEADER_NAME' && name !== 'HTTP_HEADER_VALUE') return undefined;
  if (!strict) return { pattern: HEADER_STRING, violation: `value must not contain NUL, CR or LF (${name}, strict: false)` };
  return name === 'HTTP_HEADER_NAME'
    ? { pattern: HTTP_HEADER_NAME, violation: 'value must be a valid HTTP header name (HTTP_HEADER_NAME)' }
    : { pattern: HTTP_HEADER_VALUE, violation: 'value must be a valid HTTP header value (HTTP_HEADER_VALUE)' };
}

export function hostnameProblem(host: string): string | undefined {
  if (host.length > 253) return 'hostname cannot exceed 253 characters';
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  for (const part of name.toLowerCase().split('.')) {
    if (part.length === 0 || part.length > 63) return 'hostname part must be non-empty and cannot exceed 63 characters';
    if (part.startsWith('-')) return 'hostname parts cannot begin with hyphens';
    if (part.endsWith('-')) return 'hostname parts cannot end with hyphens';
    if (!/^[a-z0-9-]+$/.test(part)) return 'hostname parts can only contain alphanumeric characters or hyphens';
  }
  return undefined;
}

/**
 * PGV runs Go's net/mail.ParseAddress first; this accepts only the bare addr-spec (or `Name <addr>`)
 * forms and checks the same length and hostname limits, which covers what configs contain.
 */
export function emailProblem(value: string): string | undefined {
  const angle = /<([^<>]*)>\s*$/.exec(value);
  const address = angle ? (angle[1] ?? '') : value.trim();
  if (address.length > 254) return 'email address cannot exceed 254 characters';
  const at = address.lastIndexOf('@');
  if (at <= 0 || !/^[^\s@<>()[\]\\,;:"]+$/.test(address.slice(0, at))) return 'value must be a valid email address';
  if (at > 64) return 'email address local phrase cannot exceed 64 characters';
  return hostnameProblem(address.slice(at + 1));
}

function parsesAsUrl(value: string, base?: string): boolean {
  try {
    new URL(value, base);
    return true;
  } catch {
    return false;
  }
}

/** Approximated with the WHATWG URL parser; Go's url.Parse (what PGV uses) is similarly lenient. */
export function stringFormatProblem(format: string, value: string): string | undefined {
  switch (format) {
    case 'email':
      return emailProblem(value) === undefined ? undefined : 'value must be a valid email address';
    case 'hostname':
      return hostnameProblem(value) === undefined ? undefined : 'value must be a valid hostname';
    case 'ip':
      return isIP(value) ? undefined : 'value must be a valid IP address';
    case 'ipv4':
      return isIPv4(value) ? undefined : 'value must be a valid IPv4 address';
    case 'ipv6':
      return isIPv6(value) ? undefined : 'value must be a valid IPv6 address';
    case 'uri':
      return /^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) && parsesAsUrl(value) ? undefined : 'value must be a valid URI';
    case 'uri_ref':
      return parsesAsUrl(value, 'http://base.invalid/') ? undefined : 'value must be a valid URI';
    case 'address':
      return isIP(value) || hostnameProblem(value) === undefined ? undefined : 'value must be a valid hostname, or ip address';
    case 'uuid':
      return /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(value) ? undefined : 'value must be a valid UUID';
    default:
      return undefined;
  }
}

export const STRING_FORMATS = ['email', 'hostname', 'ip', 'ipv4', 'ipv6', 'uri', 'uri_ref', 'address', 'uuid'] as const;
