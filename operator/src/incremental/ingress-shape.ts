// What incremental translation needs to know about one Ingress before translating it: the hosts
// its rules name (the unit of re-translation: oldest-wins conflicts, TLS, canaries and the
// default backend all settle per host), whether it reaches beyond its own hosts, and the
// Services whose endpoints its routes carry.
import { ingressReferences } from '../relevance/references.js';
import type { V1Ingress } from '../store/cluster-state.js';
import { NGINX_PREFIX } from '../translate/annotations/prefix.js';
import { CATCH_ALL_HOST, normalizeHost } from '../translate/hosts.js';

export interface IngressShape {
  /** Its rules' hosts as translation reads them (`*` for a rule without a host); invalid ones left out. */
  hosts: string[];
  /**
   * It shapes every host of its class: a default backend (appended to every host), a rule without
   * a host (the catch-all, which wildcard hosts fall through to) or no rules at all (app-root on
   * the catch-all). Every re-translation of the class includes these Ingresses.
   */
  anchor: boolean;
  /**
   * It makes hosts whose existence depends on every other host of the class (from-to-www-redirect
   * twins, server-alias): a class with one of these is translated whole.
   */
  global: boolean;
  /** Services (`namespace/name`) it may route to: a change of their endpoints re-translates it. */
  services: string[];
}

const GLOBAL_ANNOTATIONS = [`${NGINX_PREFIX}from-to-www-redirect`, `${NGINX_PREFIX}server-alias`];

export function shapeOf(ingress: V1Ingress): IngressShape {
  const rules = ingress.spec?.rules ?? [];
  const hosts = new Set<string>();
  for (const rule of rules) {
    const host = normalizeHost(rule.host);
    if (!('error' in host)) hosts.add(host.host);
  }
  const annotations = ingress.metadata?.annotations ?? {};
  return {
    hosts: [...hosts],
    anchor: ingress.spec?.defaultBackend !== undefined || hosts.has(CATCH_ALL_HOST) || rules.length === 0,
    global: GLOBAL_ANNOTATIONS.some((name) => name in annotations),
    services: ingressReferences(ingress).services,
  };
}
