// What IR hosts and regex paths mean, shared by the translator (which checks them) and the Envoy
// side (which writes them), so neither has to import the other.

/** The virtual host of rules without a host. */
export const CATCH_ALL_HOST = '*';

/** `*.example.com`: covers exactly one label in Kubernetes, any depth in Envoy's domain match. */
export function isWildcardHost(host: string): boolean {
  return host.startsWith('*.');
}

/**
 * An IR regex path as one RE2 pattern over the whole path: it must match the start of the path,
 * case-insensitively (ingress-nginx's `location ~*`). Envoy's safe_regex matches the whole path.
 */
export function wholePathRegex(regex: string): string {
  return `(?i)(?:${regex}).*`;
}
