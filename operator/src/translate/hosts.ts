// Ingress hosts: exact DNS names, or a wildcard `*.example.com` that covers exactly one label.
// Rules without a host land on the catch-all virtual host `*`.

import { CATCH_ALL_HOST, MAX_WILDCARD_SUFFIX_LABELS, suffixLabels } from '../ir/host-and-path.js';

export { CATCH_ALL_HOST, isWildcardHost } from '../ir/host-and-path.js';

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** `warning`: served, but the API server would have refused it (uppercase). */
export type HostResult = { host: string; warning?: string } | { error: string };

const MAX_LABEL = 63;

export function normalizeHost(host: string | undefined): HostResult {
  if (host === undefined || host === '') return { host: CATCH_ALL_HOST };
  const lower = host.toLowerCase();
  const name = lower.startsWith('*.') ? lower.slice(2) : lower;
  if (lower.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return { error: `${JSON.stringify(host)} is not a valid host: use a DNS name such as "foo.example.com" or "*.example.com" (no port, no IP address)` };
  }
  if (lower.startsWith('*.') && suffixLabels(lower) > MAX_WILDCARD_SUFFIX_LABELS) {
    return { error: `${JSON.stringify(host)} is a wildcard with ${suffixLabels(lower)} labels after "*.": the regex that keeps it to one label would be over Envoy's program size limit, which rejects the whole route table; Portico serves wildcards up to ${MAX_WILDCARD_SUFFIX_LABELS} labels deep` };
  }
  const long = name.split('.').find((label) => label.length > MAX_LABEL);
  if (long !== undefined) return { error: `${JSON.stringify(host)} is not a valid host: its label "${long.slice(0, 16)}…" is ${long.length} characters long, over DNS's ${MAX_LABEL}` };
  if (IPV4.test(name) || name.includes(':')) return { error: `${JSON.stringify(host)} is an IP address; Ingress hosts must be DNS names` };
  if (lower !== host) return { host: lower, warning: `${JSON.stringify(host)} has uppercase letters, which the API server refuses in a host; it is served as ${JSON.stringify(lower)}` };
  return { host: lower };
}
