// The parts of an Envoy route that carry an IR route's policy: the forward action with its
// timeouts, retries, hashing and Host rewrite; redirects; and the headers added on the way.
import type { RouteActionHashPolicy as HashPolicy, HeaderValueOption, RedirectAction, RetryPolicy, RouteAction } from '../../../xds-server/src/index.js';
import { PREVIOUS_HOSTS_TYPE } from '../../../xds-server/src/index.js';
import type { IrForward, IrHashPolicy, IrHeader, IrRedirect, IrRedirectStatus, IrRetryPolicy, IrRouteDefaults, IrRoutePolicy } from '../ir/types.js';
import { durationFromMs } from './duration.js';

const RESPONSE_CODES: Record<IrRedirectStatus, RedirectAction['response_code']> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

/** nginx retries only these unless proxy-next-upstream says non_idempotent (RFC 9110 §9.2.2). */
const IDEMPOTENT_METHODS = '(GET|HEAD|OPTIONS|PUT|DELETE|TRACE)';

export function redirectAction(redirect: IrRedirect): RedirectAction {
  const action: RedirectAction = { response_code: RESPONSE_CODES[redirect.statusCode] };
  if (redirect.scheme !== undefined) action.scheme_redirect = redirect.scheme;
  if (redirect.host !== undefined) action.host_redirect = redirect.host;
  if (redirect.port !== undefined) action.port_redirect = redirect.port;
  if (redirect.path !== undefined) action.path_redirect = redirect.path;
  if (redirect.stripQuery) action.strip_query = true;
  return action;
}

/**
 * The route action. No overall timeout, as nginx has none (Envoy's default of 15 s would cut
 * slow downloads and long polls); the idle timeout is nginx's read/send timeout instead.
 */
export function forwardAction(forward: IrForward, policy: IrRoutePolicy | undefined, defaults: IrRouteDefaults): RouteAction {
  const action: RouteAction = { cluster: forward.cluster };
  if (forward.rewrite) action.regex_rewrite = { pattern: { regex: forward.rewrite.pattern }, substitution: forward.rewrite.substitution };
  action.timeout = durationFromMs(0);
  action.idle_timeout = durationFromMs(policy?.backendIdleTimeoutMs ?? defaults.backendIdleTimeoutMs);
  // No conditions means no retries (gRPC clients reject an explicit num_retries of 0).
  if (policy?.retry !== undefined) action.retry_policy = policy.retry === false ? {} : retryPolicy(policy.retry);
  if (policy?.hostRewrite !== undefined) action.host_rewrite_literal = policy.hostRewrite;
  if (policy?.hash) action.hash_policy = [hashPolicy(policy.hash)];
  return action;
}

/** A retry goes to another endpoint when there is one (nginx's "next upstream"). */
export function retryPolicy(retry: IrRetryPolicy): RetryPolicy {
  const policy: RetryPolicy = {
    retry_on: retry.on.join(','),
    num_retries: { value: retry.numRetries },
    retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts', typed_config: { '@type': PREVIOUS_HOSTS_TYPE } }],
    host_selection_retry_max_attempts: 3,
  };
  if (retry.statusCodes) policy.retriable_status_codes = retry.statusCodes;
  if (retry.idempotentOnly) policy.retriable_request_headers = [{ name: ':method', string_match: { safe_regex: { regex: IDEMPOTENT_METHODS } } }];
  return policy;
}

function hashPolicy(hash: IrHashPolicy): HashPolicy {
  switch (hash.kind) {
    case 'cookie': {
      const cookie: NonNullable<HashPolicy['cookie']> = { name: hash.name };
      if (hash.ttlSeconds !== undefined) cookie.ttl = durationFromMs(hash.ttlSeconds * 1000);
      if (hash.path !== undefined) cookie.path = hash.path;
      if (hash.attributes) cookie.attributes = hash.attributes.map(({ name, value }) => ({ name, value }));
      return { cookie };
    }
    case 'header':
      return { header: { header_name: hash.name } };
    case 'queryParameter':
      return { query_parameter: { name: hash.name } };
    case 'sourceIp':
      return { connection_properties: { source_ip: true } };
  }
}

/** Headers the proxy sets, replacing what the client (or backend) sent. */
export function setHeaders(headers: readonly IrHeader[]): HeaderValueOption[] {
  return headers.map(({ name, value }) => ({ header: { key: name, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }));
}
