// Ingress path rules → IR path matches, and the order in which they must be tried.
// Kubernetes: longest path first; at equal length Exact before Prefix. Envoy is first-match, so
// this order is the whole of Ingress precedence.
import type { IrPathMatch } from '../ir/types.js';
import { hasControlCharacter } from '../util/characters.js';
import { compareStrings } from '../util/compare.js';
import { checkRe2 } from './regex.js';
import { wholePathRegex } from '../ir/host-and-path.js';

export type PathResult = { match: IrPathMatch; groups: number } | { error: string };

// The API server's checks for Exact and Prefix paths (pkg/apis/networking/validation).
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];

export function toPathMatch(path: string | undefined, pathType: string | undefined, regexPaths: boolean): PathResult {
  switch (pathType) {
    case 'Exact':
    case 'Prefix': {
      const value = path ?? '';
      const problem = checkAbsolutePath(value);
      if (problem) return { error: problem };
      if (pathType === 'Exact') return { match: { kind: 'exact', path: value }, groups: 0 };
      // "/abc and /abc/ specify the same match" (KEP-1453).
      const trimmed = value.length > 1 && value.endsWith('/') ? value.slice(0, -1) : value;
      return { match: { kind: 'prefix', path: trimmed }, groups: 0 };
    }
    case 'ImplementationSpecific': {
      const value = path === undefined || path === '' ? '/' : path;
      if (!value.startsWith('/')) return { error: `must start with "/", not ${JSON.stringify(value)}` };
      if (hasControlCharacter(value)) return { error: 'must not contain control characters' };
      if (!regexPaths) return { match: { kind: 'stringPrefix', path: value }, groups: 0 };
      // Syntax is judged on the path as written, so the message quotes what the user wrote; cost
      // is judged on the pattern Envoy will actually compile.
      const syntax = checkRe2(value, false);
      if (!syntax.ok) return { error: `${JSON.stringify(value)} is ${syntax.reason}` };
      const cost = checkRe2(wholePathRegex(value));
      if (!cost.ok) return { error: `${JSON.stringify(value)} is ${cost.reason}` };
      return { match: { kind: 'regex', regex: value }, groups: syntax.groups };
    }
    default:
      return { error: `pathType must be Exact, Prefix or ImplementationSpecific, not ${JSON.stringify(pathType ?? '')}` };
  }
}

function checkAbsolutePath(path: string): string | undefined {
  if (!path.startsWith('/')) return `must be an absolute path starting with "/", not ${JSON.stringify(path)}`;
  for (const sequence of INVALID_SEQUENCES) {
    if (path.includes(sequence)) return `must not contain "${sequence}"`;
  }
  if (path.endsWith('/..') || path.endsWith('/.')) return 'must not end with "/." or "/.."';
  if (hasControlCharacter(path)) return 'must not contain control characters';
  return undefined;
}

/** A key that is equal for two paths exactly when they match the same requests. */
export function matchKey(match: IrPathMatch): string {
  return match.kind === 'regex' ? `regex:${match.regex}` : `${match.kind}:${match.path}`;
}

export function describeMatch(match: IrPathMatch): string {
  switch (match.kind) {
    case 'exact':
      return `Exact ${match.path}`;
    case 'prefix':
      return `Prefix ${match.path}`;
    case 'stringPrefix':
      return `ImplementationSpecific ${match.path}`;
    case 'regex':
      return `regex ${match.regex}`;
  }
}

const KIND_RANK: Record<IrPathMatch['kind'], number> = { exact: 0, prefix: 1, stringPrefix: 2, regex: 3 };

function matchLength(match: IrPathMatch): number {
  return match.kind === 'regex' ? match.regex.length : match.path.length;
}

/** Longest first; at equal length Exact, then Prefix, then plain prefixes, then regexes. */
export function comparePrecedence(a: IrPathMatch, b: IrPathMatch): number {
  return matchLength(b) - matchLength(a) || KIND_RANK[a.kind] - KIND_RANK[b.kind] || compareStrings(matchKey(a), matchKey(b));
}
