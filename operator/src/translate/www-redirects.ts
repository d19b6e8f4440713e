// from-to-www-redirect: a request for `www.example.com` is redirected to `example.com` when an
// Ingress asks for it on `example.com` (and the other way round), as ingress-nginx does — but only
// when no Ingress of the class routes the other name itself: a redirect never takes a host.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrRedirectStatus, IrVirtualHost } from '../ir/types.js';
import { isWildcardHost } from '../ir/host-and-path.js';
import { CATCH_ALL_HOST } from './hosts.js';
import { NGINX_PREFIX } from './annotations/prefix.js';

const ANNOTATION = `${NGINX_PREFIX}from-to-www-redirect`;

interface Request {
  /** The host the redirect goes to (the rule's host). */
  target: string;
  origin: string;
  routeName: string;
}

export class WwwRedirects {
  /** By twin host; the oldest Ingress asks first and keeps it. */
  private readonly requests = new Map<string, Request>();

  request(host: string, origin: string, ingressName: string): void {
    if (host === CATCH_ALL_HOST || isWildcardHost(host)) return;
    const twin = host.startsWith('www.') ? host.slice(4) : `www.${host}`;
    if (!twin.includes('.') || this.requests.has(twin)) return;
    this.requests.set(twin, { target: host, origin, routeName: `${ingressName}/from-to-www` });
  }

  withdraw(origin: string): void {
    for (const [twin, request] of this.requests) if (request.origin === origin) this.requests.delete(twin);
  }

  /** A redirecting virtual host per twin nobody routes; a warning for each twin someone does. */
  virtualHosts(routedHosts: ReadonlySet<string>, statusCode: IrRedirectStatus): { virtualHosts: IrVirtualHost[]; diagnostics: Diagnostic[] } {
    const virtualHosts: IrVirtualHost[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const [twin, { target, origin, routeName }] of this.requests) {
      if (routedHosts.has(twin)) {
        diagnostics.push({ object: origin, severity: 'warning', message: `metadata.annotations["${ANNOTATION}"]: ${twin} is routed by an Ingress of its own, so it is not redirected to ${target}` });
        continue;
      }
      virtualHosts.push({ host: twin, routes: [{ match: { kind: 'prefix', path: '/' }, action: { kind: 'redirect', host: target, statusCode }, origin, name: routeName }] });
    }
    return { virtualHosts, diagnostics };
  }
}
