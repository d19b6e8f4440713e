// A class's parameters after validation, in the units the translator works in. What the IR and
// the status writer read; the raw spec shape stays in parameters-spec.ts.
import type { AccessControlPolicy, AccessLogFormat, EnvoySpec, ListenerSpec, RedirectStatusCode, RetryCondition, TlsSpec } from './parameters-spec.js';

export type StatusAddress = { kind: 'fixed'; addresses: string[] } | { kind: 'service'; namespace: string; name: string };

export interface FleetParameters {
  /** node.cluster of the fleet; the class name when unset. */
  fleet?: string;
  httpListener: ListenerSpec;
  httpsListener: ListenerSpec;
  statusAddress?: StatusAddress;
  /** Milliseconds; 0 disables a timeout (except connect, which is always positive). */
  timeouts: { connectMs: number; requestMs: number; requestHeadersMs: number; idleMs: number; streamIdleMs: number };
  maxRequestHeadersKiB: number;
  /** 0: no limit. */
  maxRequestBodyBytes: number;
  useRemoteAddress: boolean;
  xffNumTrustedHops: number;
  accessLog?: { format: AccessLogFormat };
  /** Read nginx.ingress.kubernetes.io/* annotations. */
  nginxAnnotations: boolean;
  /** Ingresses with access-control annotations Portico does not honour: 503, or served with a warning. */
  unhonouredAccessControl: AccessControlPolicy;
  tls: TlsSpec;
  envoy: EnvoySpec;
  /** What every route gets unless an annotation says otherwise (ingress-nginx's ConfigMap defaults). */
  routeDefaults: RouteDefaults;
}

export interface RouteDefaults {
  /** timeouts.backendIdle (proxy-read-timeout and proxy-send-timeout); 0: none. */
  backendIdleTimeoutMs: number;
  /**
   * retries (proxy-next-upstream, -tries): retried conditions (Envoy retry_on) and tries; tries 1
   * or no conditions: no retries. idempotentOnly: a condition may replay a request the backend
   * received and the class did not allow that for non-idempotent methods.
   */
  retry: { on: RetryCondition[]; tries: number; idempotentOnly: boolean };
  /** redirects.statusCode (http-redirect-code): redirects to HTTPS (ssl-redirect, force-ssl-redirect) and from-to-www. */
  redirectCode: RedirectStatusCode;
}
