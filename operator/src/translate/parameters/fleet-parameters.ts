// A class's parameters after validation, in the units the translator works in. What the IR and
// the status writer read; the raw spec shape stays in parameters-spec.ts.
import type { AccessControlPolicy, AccessLogFormat, EnvoySpec, ListenerSpec, TlsSpec } from './parameters-spec.js';

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
  /** proxy-read-timeout and proxy-send-timeout; 0: none. */
  backendIdleTimeoutMs: number;
  /** proxy-next-upstream: retried conditions (Envoy retry_on) and tries; tries 1: no retries. */
  retry: { on: string[]; tries: number };
  /** The status of redirects to another host or scheme (http-redirect-code): from-to-www. */
  redirectCode: 301 | 302 | 307 | 308;
}

/**
 * nginx's defaults, kept by the class unless its parameters say otherwise: 60 s between reads,
 * and retries where the request cannot have reached the backend (nginx retries "error timeout",
 * 3 tries, but Envoy cannot limit the unsafe ones to idempotent methods without losing the safe ones).
 */
export const DEFAULT_ROUTE_DEFAULTS: RouteDefaults = {
  backendIdleTimeoutMs: 60_000,
  retry: { on: ['connect-failure', 'refused-stream', 'reset-before-request'], tries: 3 },
  redirectCode: 308,
};
