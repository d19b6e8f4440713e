// server-alias: more names for the Ingress's host, as more server_name entries in nginx.
import { isWildcardHost } from '../../ir/host-and-path.js';
import { normalizeHost } from '../hosts.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

export const SERVER_ALIAS_ROWS: readonly AnnotationEntry[] = [
  { name: 'server-alias', support: 'approximated', note: 'exact names only; an alias another Ingress routes is ignored with a warning; over HTTPS the alias gets the default certificate unless a certificate of the Ingress covers it' },
];

export function readServerAliases(reader: AnnotationReader): string[] {
  const names = reader.list('server-alias') ?? [];
  const aliases: string[] = [];
  for (const name of names) {
    const host = normalizeHost(name);
    if ('error' in host) reader.error('server-alias', `${host.error}; this alias is ignored`);
    else if (isWildcardHost(host.host)) reader.error('server-alias', `${JSON.stringify(name)} is a wildcard; only exact names can be aliases, so it is ignored`);
    else aliases.push(host.host);
  }
  return aliases;
}
