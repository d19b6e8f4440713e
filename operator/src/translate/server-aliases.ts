// server-alias: the alias answers exactly as the Ingress's (first) host does, every route of that
// host included, as an nginx server with several names. An alias never takes a name an Ingress
// routes as a host, whatever their ages: the rule wins, the alias is dropped with a warning.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { IrVirtualHost } from '../ir/types.js';
import { NGINX_PREFIX } from './annotations/prefix.js';

const ANNOTATION = `${NGINX_PREFIX}server-alias`;

interface Alias {
  host: string;
  origin: string;
}

export class ServerAliases {
  /** By alias, oldest Ingress first. */
  private readonly aliases = new Map<string, Alias>();

  request(aliases: readonly string[], host: string | undefined, origin: string, report: (message: string) => void): void {
    if (aliases.length === 0) return;
    if (host === undefined) return report(`metadata.annotations["${ANNOTATION}"]: the Ingress has no rule host to alias; ignored`);
    for (const alias of aliases) {
      const taken = this.aliases.get(alias);
      if (taken && taken.origin !== origin) report(`metadata.annotations["${ANNOTATION}"]: ${alias} is already an alias of ${taken.origin}, which is older; ignored`);
      else if (alias !== host) this.aliases.set(alias, { host, origin });
    }
  }

  withdraw(origin: string): void {
    for (const [alias, entry] of this.aliases) if (entry.origin === origin) this.aliases.delete(alias);
  }

  /** A copy of the aliased host's virtual host per alias nobody routes. */
  virtualHosts(hosts: readonly IrVirtualHost[]): { virtualHosts: IrVirtualHost[]; diagnostics: Diagnostic[] } {
    const byHost = new Map(hosts.map((v) => [v.host, v]));
    const virtualHosts: IrVirtualHost[] = [];
    const diagnostics: Diagnostic[] = [];
    for (const [alias, { host, origin }] of this.aliases) {
      const aliased = byHost.get(host);
      if (byHost.has(alias)) {
        diagnostics.push({ object: origin, severity: 'warning', message: `metadata.annotations["${ANNOTATION}"]: ${alias} is routed as a host by an Ingress, so it is not an alias of ${host}` });
      } else if (aliased) {
        // HSTS belongs to hosts with a certificate of their own; an alias has none.
        const copy: IrVirtualHost = { ...aliased, host: alias };
        delete copy.hsts;
        virtualHosts.push(copy);
      }
    }
    return { virtualHosts, diagnostics };
  }
}
