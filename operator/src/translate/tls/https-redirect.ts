// Which routes answer plain HTTP with a redirect to HTTPS, as ingress-nginx decides it per
// location: a host with TLS redirects unless its Ingress says ssl-redirect "false";
// force-ssl-redirect redirects even without TLS (TLS terminated in front of Envoy). A host that
// asked for TLS keeps its redirect when its certificate is unusable and the class has no default
// one (ingress-nginx's fake certificate keeps it there too): HTTPS then fails, closed, rather than
// the host being served in plaintext. The ACME HTTP-01 path is never redirected (ingress-nginx's
// no-tls-redirect-locations default), so cert-manager can still prove a host that is already on
// HTTPS, or is waiting for its certificate.
import type { HstsSpec } from '../parameters/parameters-spec.js';
import type { IrPathMatch, IrRoute } from '../../ir/types.js';

export const ACME_CHALLENGE_PATH = '/.well-known/acme-challenge';

export interface RedirectPolicy {
  sslRedirect: boolean;
  forceSslRedirect: boolean;
}

/**
 * @param hostAsksForTls the host is served over TLS, or asked to be and has no usable certificate.
 * @param policies by route origin ("Ingress namespace/name").
 */
export function withHttpsRedirects(routes: readonly IrRoute[], hostAsksForTls: boolean, policies: ReadonlyMap<string, RedirectPolicy>): IrRoute[] {
  return routes.map((route) => {
    const policy = policies.get(route.origin);
    const redirect = policy !== undefined && (policy.forceSslRedirect || (hostAsksForTls && policy.sslRedirect)) && !isAcmeChallenge(route.match);
    return redirect ? { ...route, httpsRedirect: true } : route;
  });
}

function isAcmeChallenge(match: IrPathMatch): boolean {
  return match.kind !== 'regex' && (match.path === ACME_CHALLENGE_PATH || match.path.startsWith(`${ACME_CHALLENGE_PATH}/`));
}

/** The Strict-Transport-Security value, as ingress-nginx writes it; undefined when off. */
export function hstsValue(hsts: HstsSpec): string | undefined {
  if (!hsts.enabled) return undefined;
  return [`max-age=${hsts.maxAgeSeconds}`, ...(hsts.includeSubDomains ? ['includeSubDomains'] : []), ...(hsts.preload ? ['preload'] : [])].join('; ');
}
