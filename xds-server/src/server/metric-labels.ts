// Label values that come from clients. node.cluster names the fleet a client wants, so whoever
// connects chooses it: a 1 MB cluster name became a 1 MB label on every scrape. Names that cannot
// be an IngressClass (longer than a DNS subdomain, or with control characters) are not used as
// label values; they share one placeholder.

export const INVALID_LABEL = '<invalid>';

/** An IngressClass name is a DNS subdomain: at most 253 characters. */
const MAX_FLEET_LABEL_CHARS = 253;
// eslint-disable-next-line no-control-regex -- control characters are exactly what is looked for
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/;

/** The `fleet` label value for a fleet name. */
export function fleetLabel(fleet: string): string {
  return fleet.length > MAX_FLEET_LABEL_CHARS || CONTROL_CHARACTERS.test(fleet) ? INVALID_LABEL : fleet;
}
