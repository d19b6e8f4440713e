// How Envoy proxies one Ingress's requests: body size, timeouts, retries, the Host the backend
// sees and X-Forwarded-Prefix. Each becomes a field of the route (IrRoutePolicy).
import type { IrRetryPolicy, IrRoutePolicy } from '../../ir/types.js';
import { quoted } from '../../util/characters.js';
import type { AnnotationReader } from './reader.js';
import type { AnnotationEntry } from './support.js';

export const PROXY_ROWS: readonly AnnotationEntry[] = [
  { name: 'proxy-body-size', support: 'honoured', note: 'Envoy buffers the request body of that route to count it (nginx buffers too); "0" lifts the class limit' },
  { name: 'proxy-read-timeout', support: 'approximated', note: 'the longest wait between two reads from the backend (the route idle timeout, shared with proxy-send-timeout: the larger applies); no overall limit' },
  { name: 'proxy-send-timeout', support: 'approximated', note: 'as proxy-read-timeout: one idle timeout covers both directions' },
  { name: 'proxy-next-upstream', support: 'approximated', note: '`error` → connect-failure, refused-stream, reset; `timeout` → connect-failure, reset; `http_5xx`/`http_403`/`http_404`/`http_429` → those statuses; `invalid_header` is ignored; without `non_idempotent` only idempotent methods are retried (a POST is then not retried even on a connect failure)' },
  { name: 'proxy-next-upstream-tries', support: 'honoured', note: '0 (unlimited in nginx) is capped at 10 tries' },
  { name: 'proxy-next-upstream-timeout', support: 'unsupported', note: 'Envoy bounds the whole request, not the retries alone' },
  { name: 'upstream-vhost', support: 'honoured' },
  { name: 'x-forwarded-prefix', support: 'honoured' },
];

const MAX_TRIES = 10;
/** A host, optionally with a port: what may go into :authority. */
const AUTHORITY = /^[A-Za-z0-9._~-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$/;

export function readProxyPolicy(reader: AnnotationReader): IrRoutePolicy {
  const policy: IrRoutePolicy = {};
  const body = reader.size('proxy-body-size');
  if (body !== undefined) policy.maxRequestBodyBytes = body;

  const read = reader.seconds('proxy-read-timeout');
  const send = reader.seconds('proxy-send-timeout');
  if (read !== undefined || send !== undefined) {
    // 0 means "no limit" to Envoy; nginx has no such value, so the larger of the two stands.
    policy.backendIdleTimeoutMs = Math.max(read ?? 0, send ?? 0) * 1000;
  }

  const retry = readRetry(reader);
  if (retry !== undefined) policy.retry = retry;

  const vhost = reader.token('upstream-vhost', 'a host name, optionally with a port');
  if (vhost !== undefined) {
    if (AUTHORITY.test(vhost)) policy.hostRewrite = vhost;
    else reader.error('upstream-vhost', `must be a host name, optionally with a port, not ${quoted(vhost)}; ignored (nginx variables are not expanded)`);
  }

  const prefix = reader.token('x-forwarded-prefix', 'a path without spaces or control characters');
  if (prefix !== undefined) policy.requestHeaders = [{ name: 'x-forwarded-prefix', value: prefix }];
  return policy;
}

/** proxy-next-upstream and its tries; undefined when neither is set (the class's default applies). */
function readRetry(reader: AnnotationReader): IrRetryPolicy | false | undefined {
  const conditions = reader.raw('proxy-next-upstream');
  const tries = reader.integer('proxy-next-upstream-tries', 0, 1000);
  if (reader.raw('proxy-next-upstream-timeout') !== undefined) reader.warn('proxy-next-upstream-timeout', 'is not supported and has no effect: Envoy bounds a whole request, not its retries alone');
  if (conditions === undefined && tries === undefined) return undefined;
  const words = (conditions ?? 'error timeout').split(/\s+/).filter((w) => w !== '');
  if (words.includes('off')) return false;
  const on = new Set<string>();
  const statusCodes = new Set<number>();
  let idempotentOnly = true;
  for (const word of words) {
    if (word === 'error') ['connect-failure', 'refused-stream', 'reset'].forEach((c) => on.add(c));
    // Envoy's `reset` includes an upstream that stops answering (its idle timeout), as nginx's read timeout.
    else if (word === 'timeout') ['connect-failure', 'reset'].forEach((c) => on.add(c));
    else if (word === 'non_idempotent') idempotentOnly = false;
    else if (word === 'invalid_header') reader.warn('proxy-next-upstream', '`invalid_header` has no Envoy equivalent and is ignored');
    else if (/^http_(500|502|503|504|403|404|429)$/.test(word)) statusCodes.add(Number(word.slice(5)));
    else {
      reader.error('proxy-next-upstream', `${quoted(word)} is not one of error, timeout, invalid_header, http_500, http_502, http_503, http_504, http_403, http_404, http_429, non_idempotent, off; the class's retries apply`);
      return undefined;
    }
  }
  if (statusCodes.size > 0) on.add('retriable-status-codes');
  const numRetries = Math.min(tries === undefined ? 3 : tries === 0 ? MAX_TRIES : tries, MAX_TRIES) - 1;
  if (numRetries <= 0 || on.size === 0) return false;
  const retry: IrRetryPolicy = { on: [...on].sort(), numRetries };
  if (statusCodes.size > 0) retry.statusCodes = [...statusCodes].sort((a, b) => a - b);
  if (idempotentOnly) retry.idempotentOnly = true;
  return retry;
}
