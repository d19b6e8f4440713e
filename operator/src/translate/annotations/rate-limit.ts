// Request rate limits per client address (limit-rps, limit-rpm, limit-burst-multiplier and the
// allow-list of clients nginx never limits). nginx counts per $binary_remote_addr in each nginx
// replica; Envoy's local rate limit filter counts per client address in each Envoy replica
// (envoy/http-filters/local-rate-limit.ts). A value Portico cannot honour closes the Ingress.
import type { IrRateLimit, IrRequestRate } from '../../ir/types.js';
import { quoted } from '../../util/characters.js';
import { describeInvalid } from './reader.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

export const RATE_LIMIT_ROWS: readonly AnnotationEntry[] = [
  { name: 'limit-rps', support: 'approximated', accessControl: true, note: 'per client address (after the class\'s X-Forwarded-For trust) and per Envoy replica, as nginx per replica; excess gets 503. Counted per route of the Ingress; Envoy remembers the last 16384 clients of a route (a client it forgot starts with a full burst)' },
  { name: 'limit-rpm', support: 'approximated', accessControl: true, note: 'as limit-rps; with both set, a request must pass both, as in nginx' },
  { name: 'limit-burst-multiplier', support: 'honoured', accessControl: true, note: 'default 5: a client may send rate × multiplier requests at once beyond the rate (nginx\'s burst, nodelay)' },
  { name: 'limit-whitelist', support: 'approximated', accessControl: true, note: 'the addresses are limited like any other client (Envoy\'s local rate limit cannot exempt an address range per route); stricter than nginx, with a warning' },
  { name: 'limit-allowlist', support: 'approximated', accessControl: true, note: 'as limit-whitelist' },
];

/** A rate beyond this is no limit at all; it also keeps rate × multiplier within Envoy's 32-bit buckets. */
const MAX_RATE = 1_000_000;
const MAX_MULTIPLIER = 1000;
const DEFAULT_MULTIPLIER = 5;

export function readRateLimit(reader: AnnotationReader): IrRateLimit | undefined {
  const rps = readRate(reader, 'limit-rps');
  const rpm = readRate(reader, 'limit-rpm');
  if (!(rps !== undefined && rps > 0) && !(rpm !== undefined && rpm > 0)) {
    // Nothing is limited, so the companions cannot weaken anything: a bad value is only a warning.
    for (const name of ['limit-burst-multiplier', 'limit-whitelist', 'limit-allowlist']) {
      if (reader.raw(name) !== undefined) reader.warn(name, 'has no effect without limit-rps or limit-rpm');
    }
    return undefined;
  }
  const multiplier = readMultiplier(reader);
  const exempt = readExempt(reader);
  const limits: IrRequestRate[] = [];
  if (rps !== undefined && rps > 0) limits.push({ requests: rps, unit: 'second', burst: rps * multiplier });
  if (rpm !== undefined && rpm > 0) limits.push({ requests: rpm, unit: 'minute', burst: rpm * multiplier });
  for (const name of exempt) {
    reader.warn(name, 'is not honoured as nginx does: Envoy cannot exempt address ranges from a per-client rate limit, so these clients are limited too');
  }
  return { limits };
}

/** A whole number of requests; 0 means no limit, as in ingress-nginx. A bad value closes the Ingress. */
function readRate(reader: AnnotationReader, name: string): number | undefined {
  const value = reader.raw(name);
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  const rate = /^[0-9]{1,7}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(rate >= 0 && rate <= MAX_RATE)) {
    reader.error(name, `must be a whole number of requests from 0 to ${MAX_RATE}, not ${quoted(value)}; rather than serve the Ingress without its rate limit, its routes answer 503`, true);
    return undefined;
  }
  return rate;
}

function readMultiplier(reader: AnnotationReader): number {
  const value = reader.raw('limit-burst-multiplier');
  if (value === undefined) return DEFAULT_MULTIPLIER;
  const trimmed = value.trim();
  const multiplier = /^[0-9]{1,4}$/.test(trimmed) ? Number(trimmed) : NaN;
  if (!(multiplier >= 1 && multiplier <= MAX_MULTIPLIER)) {
    reader.error('limit-burst-multiplier', `must be a whole number from 1 to ${MAX_MULTIPLIER}, not ${quoted(value)}; rather than guess the burst, the Ingress's routes answer 503`, true);
    return DEFAULT_MULTIPLIER;
  }
  return multiplier;
}

/** The allow-list annotations set (with valid CIDRs); an invalid entry closes the Ingress. */
function readExempt(reader: AnnotationReader): string[] {
  const set: string[] = [];
  for (const name of ['limit-whitelist', 'limit-allowlist']) {
    const read = reader.cidrs(name);
    if (read === undefined) continue;
    if (read.invalid.length > 0) {
      reader.error(name, `${describeInvalid(read.invalid)} ${read.invalid.length === 1 ? 'is not an address or CIDR' : 'are not addresses or CIDRs'}; the Ingress's routes answer 503`, true);
      continue;
    }
    if (read.cidrs.length > 0) set.push(name);
  }
  return set;
}
