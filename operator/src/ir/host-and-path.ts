// What IR hosts and regex paths mean, shared by the translator (which checks them) and the Envoy
// side (which writes them), so neither has to import the other.
import { compareStrings } from '../util/compare.js';

/** The virtual host of rules without a host. */
export const CATCH_ALL_HOST = '*';

/** `*.example.com`: covers exactly one label in Kubernetes, any depth in Envoy's domain match. */
export function isWildcardHost(host: string): boolean {
  return host.startsWith('*.');
}

/** Virtual host order (IrFleet.virtualHosts): exact hosts by name, then wildcard hosts, then the catch-all `*` last. */
export function compareHosts(a: string, b: string): number {
  return hostRank(a) - hostRank(b) || compareStrings(a, b);
}

function hostRank(host: string): number {
  return host === CATCH_ALL_HOST ? 2 : isWildcardHost(host) ? 1 : 0;
}

/**
 * An IR regex path as one RE2 pattern over the whole path: it must match the start of the path,
 * case-insensitively (ingress-nginx's `location ~*`). Envoy's safe_regex matches the whole path.
 */
export function wholePathRegex(regex: string): string {
  return `(?i)(?:${regex}).*`;
}

/**
 * The `:authority` regex that keeps a wildcard host to one label. Envoy has already checked the
 * suffix when it picked the virtual host, so counting labels is enough, and the port is already
 * stripped (strip_any_host_port). A label is any printable ASCII but '.': RE2 compiles that class
 * to a few byte ranges, where `[^.]` would take every UTF-8 sequence (about twice the program).
 */
export function singleLabelRegex(host: string): string {
  const label = '[!-\\-/-~]+';
  return `${label}(\\.${label}){${suffixLabels(host)}}`;
}

/** Labels after `*.`: `*.a.example.com` has 3. */
export function suffixLabels(host: string): number {
  return host.split('.').length - 1;
}

/**
 * The C++ RE2 program size of singleLabelRegex for `labels` suffix labels, as Envoy computes it:
 * 7 + 6 per label, checked against Debian's libre2 (host-and-path.test.ts).
 */
export function singleLabelProgramSize(labels: number): number {
  return 7 + 6 * labels;
}

/** Envoy's default re2.max_program_size.error_level: a bigger regex rejects the whole route table. */
export const ENVOY_MAX_REGEX_PROGRAM_SIZE = 100;

/** The deepest wildcard host whose guard stays within Envoy's limit: 15 labels after `*.`. */
export const MAX_WILDCARD_SUFFIX_LABELS = Math.floor((ENVOY_MAX_REGEX_PROGRAM_SIZE - 7) / 6);
