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
}
