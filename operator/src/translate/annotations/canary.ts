// ingress-nginx canaries: an Ingress with `canary: "true"` routes nothing of its own; it offers
// its backend as a share of the route with the same host and path of another ("primary") Ingress
// (translate/canary.ts). Which requests go to it: the header, then the cookie, then the weight, as
// ingress-nginx's balancer.lua (route_to_alternative_balancer) decides.
import type { IrCanary } from '../../ir/types.js';
import { hasControlCharacter, quoted } from '../../util/characters.js';
import { checkRe2 } from '../regex.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

export const CANARY_ROWS: readonly AnnotationEntry[] = [
  { name: 'canary', support: 'honoured', note: 'the canary Ingress shares the primary\'s route (same host, path and path type) and its policy; only load-balance, upstream-hash-by/affinity and service-upstream of the canary apply, to its own backend' },
  { name: 'canary-by-header', support: 'honoured', note: '"always" → canary, "never" → primary; `_` in the name matches `-`, as nginx\'s $http_ variables do' },
  { name: 'canary-by-header-value', support: 'honoured' },
  { name: 'canary-by-header-pattern', support: 'approximated', note: 'RE2, not PCRE: a pattern RE2 cannot take is refused (the header then means "always"/"never", as when ingress-nginx rejects it); found anywhere in the value, as ngx.re.match' },
  { name: 'canary-by-cookie', support: 'approximated', note: 'when a request carries the cookie twice, any "always" wins where nginx reads the first' },
  { name: 'canary-weight', support: 'honoured', note: 'Envoy weighted clusters' },
  { name: 'canary-weight-total', support: 'honoured', note: 'totals under 100 count as 100, as in ingress-nginx' },
];

/** A canary's rules as read; translate/canary.ts adds the cluster and origin when it attaches. */
export type CanaryRules = Omit<IrCanary, 'cluster' | 'origin'>;

/** RFC 9110 token: what a header or cookie name may be. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const MAX_WEIGHT = 2_147_483_647;

/** The canary rules, or undefined when the Ingress is not a canary (`canary` is not "true"). */
export function readCanaryRules(reader: AnnotationReader): CanaryRules | undefined {
  const enabled = reader.flag('canary', false);
  if (!enabled) {
    const configured = ['canary-by-header', 'canary-by-header-value', 'canary-by-header-pattern', 'canary-by-cookie', 'canary-weight', 'canary-weight-total'].filter((name) => reader.raw(name) !== undefined);
    for (const name of configured) reader.error(name, 'is set but canary is not "true"; it has no effect and the Ingress is served as an ordinary one (as in ingress-nginx)');
    return undefined;
  }
  const rules: CanaryRules = { weight: 0, totalWeight: 100 };
  const header = readHeader(reader);
  if (header) rules.header = header;
  const cookie = readCookie(reader);
  if (cookie) rules.cookie = cookie;

  const total = reader.integer('canary-weight-total', 0, MAX_WEIGHT);
  if (total !== undefined && total < 100) reader.warn('canary-weight-total', `${total} is under 100, which ingress-nginx ignores: the total is 100`);
  rules.totalWeight = Math.max(total ?? 100, 100);
  const weight = reader.integer('canary-weight', 0, MAX_WEIGHT);
  if (weight !== undefined && weight > rules.totalWeight) reader.warn('canary-weight', `${weight} is over the total of ${rules.totalWeight}: every request that no header or cookie decides goes to the canary`);
  rules.weight = Math.min(weight ?? 0, rules.totalWeight);
  return rules;
}

function readHeader(reader: AnnotationReader): CanaryRules['header'] {
  const name = reader.raw('canary-by-header');
  const value = reader.raw('canary-by-header-value');
  const pattern = reader.raw('canary-by-header-pattern');
  if (name === undefined || name === '') {
    for (const [annotation, set] of [['canary-by-header-value', value], ['canary-by-header-pattern', pattern]] as const) {
      if (set !== undefined) reader.warn(annotation, 'has no effect without canary-by-header');
    }
    return undefined;
  }
  if (!TOKEN.test(name)) {
    reader.error('canary-by-header', `must be a header name, not ${quoted(name)}; ignored`);
    return undefined;
  }
  // nginx's $http_NAME: case-insensitive, and `_` stands for `-` (nginx drops headers with `_`).
  const header: NonNullable<CanaryRules['header']> = { name: name.toLowerCase().replace(/_/g, '-') };
  if (value !== undefined && value !== '') {
    if (hasControlCharacter(value)) {
      reader.error('canary-by-header-value', `must not contain control characters, not ${quoted(value)}; ignored`);
    } else {
      header.value = value;
      if (pattern !== undefined && pattern !== '') reader.warn('canary-by-header-pattern', 'is ignored: canary-by-header-value is set (as in ingress-nginx)');
      return header;
    }
  }
  if (pattern !== undefined && pattern !== '') {
    const regex = headerPatternRegex(pattern);
    const syntax = checkRe2(pattern, false);
    const cost = syntax.ok ? checkRe2(regex) : syntax;
    if (!cost.ok) reader.error('canary-by-header-pattern', `${quoted(pattern)} is ${cost.reason}; ignored, so the header selects the canary only when "always" (and the primary when "never")`);
    else header.pattern = regex;
  }
  return header;
}

/** ngx.re.match finds the pattern anywhere in the value; Envoy matches the whole value. */
export function headerPatternRegex(pattern: string): string {
  return `.*(?:${pattern}).*`;
}

function readCookie(reader: AnnotationReader): CanaryRules['cookie'] {
  const name = reader.raw('canary-by-cookie');
  if (name === undefined || name === '') return undefined;
  if (!TOKEN.test(name)) {
    reader.error('canary-by-cookie', `must be a cookie name, not ${quoted(name)}; ignored`);
    return undefined;
  }
  const cookie = { name, always: cookieRegex(name, 'always'), never: cookieRegex(name, 'never') };
  const cost = checkRe2(cookie.always);
  if (!cost.ok) {
    reader.error('canary-by-cookie', `${quoted(name)} makes a cookie match that is ${cost.reason}; ignored`);
    return undefined;
  }
  return cookie;
}

/**
 * The whole Cookie header (Envoy joins several with "; ") holds the crumb `name=value`: at the
 * start or after a ';', spaces allowed around '=', the value ending at ';' or the end. nginx's
 * $cookie_NAME compares names case-insensitively.
 */
export function cookieRegex(name: string, value: string): string {
  return `(?:.*;)? *(?i:${name.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')}) *= *${value}(?:;.*)?`;
}
