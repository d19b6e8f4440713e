// permanent-redirect, temporal-redirect and from-to-www-redirect: Envoy answers the redirect
// itself, as nginx's `return CODE URL` does, for every path of the Ingress.
import type { IrRedirect, IrRedirectStatus } from '../../ir/types.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

export const REDIRECT_ROWS: readonly AnnotationEntry[] = [
  { name: 'permanent-redirect', support: 'honoured', note: 'the URL may end in `$request_uri` (path and query kept); no other nginx variable is expanded' },
  { name: 'permanent-redirect-code', support: 'approximated', note: '301, 302, 303, 307 or 308 (Envoy has no 300, 304, 305 or 306 redirect); others give 301' },
  { name: 'temporal-redirect', support: 'honoured', note: 'as permanent-redirect; it wins when both are set, as in ingress-nginx' },
  { name: 'temporal-redirect-code', support: 'approximated', note: '301, 302, 303 or 307; others give 302' },
  { name: 'from-to-www-redirect', support: 'honoured', note: 'only when no Ingress of the class routes the other name; over HTTPS the certificate must cover both names' },
];

export interface RedirectOptions {
  /** Every path of the Ingress answers this redirect instead of forwarding. */
  redirect?: IrRedirect;
  /** Redirect `www.<host>` ↔ `<host>` to the rule's host (when nobody routes the twin). */
  fromToWww: boolean;
}

const ENVOY_CODES: readonly IrRedirectStatus[] = [301, 302, 303, 307, 308];
const REQUEST_URI = '$request_uri';

export function readRedirectOptions(reader: AnnotationReader): RedirectOptions {
  const options: RedirectOptions = { fromToWww: reader.flag('from-to-www-redirect', false) };
  // ingress-nginx looks at temporal-redirect first.
  const temporal = reader.raw('temporal-redirect');
  const temporalCode = readCode(reader, 'temporal-redirect-code', 302, 307);
  const permanent = reader.raw('permanent-redirect');
  const permanentCode = readCode(reader, 'permanent-redirect-code', 301, 308);
  if (temporal !== undefined && temporal !== '') {
    const redirect = redirectTo(reader, 'temporal-redirect', temporal, temporalCode);
    if (redirect) options.redirect = redirect;
    if (permanent) reader.warn('permanent-redirect', 'is ignored: temporal-redirect is set too, and wins (as in ingress-nginx)');
  } else if (permanent !== undefined && permanent !== '') {
    const redirect = redirectTo(reader, 'permanent-redirect', permanent, permanentCode);
    if (redirect) options.redirect = redirect;
  }
  return options;
}

/** nginx accepts 300–`max`; Envoy can send only its five redirect codes. */
function readCode(reader: AnnotationReader, name: string, fallback: IrRedirectStatus, max: number): IrRedirectStatus {
  const code = reader.integer(name, 300, max);
  if (code === undefined) return fallback;
  const envoy = ENVOY_CODES.find((c) => c === code);
  if (envoy === undefined) {
    reader.error(name, `${code} is not a redirect status Envoy can send (${ENVOY_CODES.filter((c) => c <= max).join(', ')}); ${fallback} applies`);
    return fallback;
  }
  return envoy;
}

/** An absolute http(s) URL, optionally ending in `$request_uri` (keep the request's path and query). */
function redirectTo(reader: AnnotationReader, name: string, value: string, statusCode: IrRedirectStatus): IrRedirect | undefined {
  const keepsPath = value.endsWith(REQUEST_URI);
  const written = keepsPath ? value.slice(0, -REQUEST_URI.length) : value;
  let url: URL;
  try {
    url = new URL(written);
  } catch {
    reader.error(name, `must be an absolute http or https URL, not ${JSON.stringify(value)}; ignored`);
    return undefined;
  }
  const problem =
    url.protocol !== 'http:' && url.protocol !== 'https:' ? 'must use http or https'
    : url.username || url.password ? 'must not carry credentials'
    : url.hash ? 'must not have a #fragment'
    : /[$\s]/.test(written) ? 'uses an nginx variable or whitespace Portico cannot expand (only a trailing $request_uri is supported)'
    : keepsPath && (url.pathname !== '/' || url.search) ? 'can end in $request_uri only right after the host'
    : undefined;
  if (problem !== undefined) {
    reader.error(name, `${problem}: ${JSON.stringify(value)}; ignored`);
    return undefined;
  }
  const redirect: IrRedirect = { kind: 'redirect', scheme: url.protocol === 'https:' ? 'https' : 'http', host: url.hostname, statusCode };
  if (url.port !== '') redirect.port = Number(url.port);
  if (!keepsPath) {
    redirect.path = `${url.pathname}${url.search}`;
    if (!url.search) redirect.stripQuery = true;
  }
  return redirect;
}
