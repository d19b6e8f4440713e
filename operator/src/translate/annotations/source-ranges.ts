// Allow and deny lists of client addresses (whitelist-/allowlist-/denylist-source-range), read as
// ingress-nginx reads them (internal/ingress/annotations/ipallowlist, ipdenylist): deny first,
// then allow, and any other client refused with 403. A value that is not a list of addresses or
// networks closes the Ingress (its routes answer 503), as ingress-nginx denies the location. The
// client address is the one Envoy trusts after the class's X-Forwarded-For hops, as nginx's
// $remote_addr after its real-IP module. Envoy's RBAC filter refuses (envoy/http-filters/rbac.ts).
import type { IrSourceRanges } from '../../ir/types.js';
import { describeInvalid } from './reader.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

const NOTE = 'the client address is the one Envoy trusts after the class\'s X-Forwarded-For hops (clientIP in the parameters), as nginx\'s after its real-IP module; a client refused gets 403 (from Envoy\'s RBAC filter, body "RBAC: access denied"); an invalid value closes the Ingress (503), as in nginx';

export const SOURCE_RANGE_ROWS: readonly AnnotationEntry[] = [
  { name: 'allowlist-source-range', support: 'honoured', accessControl: true, note: NOTE },
  { name: 'whitelist-source-range', support: 'honoured', accessControl: true, note: `the old name of allowlist-source-range, which wins when both are set; ${NOTE}` },
  { name: 'denylist-source-range', support: 'honoured', accessControl: true, note: `checked before the allow list, as nginx's deny comes first; ${NOTE}` },
];

const ALLOW = 'allowlist-source-range';
const ALLOW_OLD_NAME = 'whitelist-source-range';
const DENY = 'denylist-source-range';

/** Every IPv4 and every IPv6 address: cert-manager's HTTP-01 solver Ingresses carry both. */
const EVERY_ADDRESS = ['0.0.0.0/0', '::/0'];

/**
 * The Ingress's source ranges; undefined when it has none, or none that restricts anything. A
 * list that cannot be honoured is reported with `closes` and left out: by default the Ingress is
 * then closed (503); a class that relaxes access control serves it without that list.
 */
export function readSourceRanges(reader: AnnotationReader): IrSourceRanges | undefined {
  // As ingress-nginx: allowlist-source-range unless it is empty, then whitelist-source-range.
  const allowValue = reader.raw(ALLOW);
  const oldValue = reader.raw(ALLOW_OLD_NAME);
  let allowName: string | undefined;
  if (allowValue !== undefined && allowValue !== '') {
    allowName = ALLOW;
    if (oldValue !== undefined) reader.warn(ALLOW_OLD_NAME, `is ignored: ${ALLOW} is set too and takes its place`);
  } else if (oldValue !== undefined) allowName = ALLOW_OLD_NAME;
  else if (allowValue !== undefined) allowName = ALLOW;

  const allow = allowName === undefined ? undefined : readList(reader, allowName);
  const deny = readList(reader, DENY);
  const ranges: IrSourceRanges = { allow: allow ?? [], deny: deny ?? [] };
  if (ranges.deny.length === 0 && EVERY_ADDRESS.every((cidr) => ranges.allow.includes(cidr))) return undefined;
  return ranges.allow.length > 0 || ranges.deny.length > 0 ? ranges : undefined;
}

/** The CIDRs of one list, sorted and without repeats; undefined (and a closing error) when unusable. */
function readList(reader: AnnotationReader, name: string): string[] | undefined {
  const value = reader.raw(name);
  if (value === undefined) return undefined;
  const read = reader.cidrs(name);
  if (read === undefined || read.invalid.length > 0 || read.cidrs.length === 0) {
    const why = read && read.invalid.length > 0 ? `${describeInvalid(read.invalid)} ${read.invalid.length === 1 ? 'is not an address or network' : 'are not addresses or networks'}` : 'is empty';
    reader.error(name, `${why}; a list of addresses or CIDRs separated by commas is needed, such as "10.0.0.0/8,192.168.1.7"`, true);
    return undefined;
  }
  return [...new Set(read.cidrs)].sort();
}
