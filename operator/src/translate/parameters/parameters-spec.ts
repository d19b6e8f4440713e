// The spec of IngressClassParameters / ClusterIngressClassParameters as stored in the API, and
// its defaults. The CRDs in crds/ declare the same defaults (a test compares them), so an object
// read from the API server (defaulted there) and one read from a manifest (defaulted here) mean
// the same thing.

export interface ParametersSpec {
  /** node.cluster of the fleet's Envoys; the IngressClass name when unset. */
  fleet?: string;
  listeners: { http: ListenerSpec; https: ListenerSpec };
  /** Where Ingress status addresses come from; the operator's flags when unset. */
  statusAddress?: { service?: ObjectName; addresses?: string[] };
  timeouts: { connect: string; request: string; requestHeaders: string; idle: string; streamIdle: string; backendIdle: string };
  requestLimits: { maxRequestHeadersKiB: number; maxBodySize: string };
  clientIP: { useRemoteAddress: boolean; xffNumTrustedHops: number };
  accessLog: { enabled: boolean; format: AccessLogFormat };
  annotationFamilies: { nginx: boolean; unhonouredAccessControl: AccessControlPolicy };
  tls: TlsSpec;
  envoy: EnvoySpec;
  /** The class's retries to another endpoint (ingress-nginx's proxy-next-upstream and -tries). */
  retries: RetriesSpec;
  /** Redirects to another scheme or host (ingress-nginx's http-redirect-code). */
  redirects: { statusCode: RedirectStatusCode };
}

export interface RetriesSpec {
  /** Envoy retry_on conditions; empty: no retries. */
  on: RetryCondition[];
  /** Attempts in all, the first included; 1: no retries. */
  tries: number;
  /** Also retry non-idempotent methods (POST, PATCH) after the request may have reached the backend (nginx's non_idempotent). */
  nonIdempotent: boolean;
}

export interface TlsSpec {
  minimumVersion: TlsVersion;
  /** The Secret served to clients whose SNI names no TLS host, and to TLS hosts whose own Secret is unusable. */
  defaultCertificate?: ObjectName;
  /** TLS 1.2 cipher suites, in BoringSSL's names; unset: Envoy's defaults. TLS 1.3 suites are not configurable in Envoy. */
  cipherSuites?: string[];
  /** Strict-Transport-Security on HTTPS responses of hosts with a certificate of their own (ingress-nginx's hsts* keys). */
  hsts: HstsSpec;
}

export interface HstsSpec {
  enabled: boolean;
  maxAgeSeconds: number;
  includeSubDomains: boolean;
  preload: boolean;
}

/** What the fleet's Envoys are, for features that older Envoy releases reject. */
export interface EnvoySpec {
  /** The oldest Envoy minor release running in the fleet ("1.37"); unset: not declared. */
  version?: string;
  /** Split route tables per host for Delta clients (VHDS); needs a declared version that accepts it. */
  virtualHostDiscovery: boolean;
}

export interface ListenerSpec {
  address: string;
  port: number;
}

export interface ObjectName {
  namespace: string;
  name: string;
}

export const ACCESS_LOG_FORMATS = ['Text', 'JSON'] as const;
export type AccessLogFormat = (typeof ACCESS_LOG_FORMATS)[number];
/** What an Ingress with access-control annotations Portico does not honour gets: 503 (Refuse), or served with a warning. */
export const ACCESS_CONTROL_POLICIES = ['Refuse', 'Warn'] as const;
export type AccessControlPolicy = (typeof ACCESS_CONTROL_POLICIES)[number];
export const TLS_VERSIONS = ['1.2', '1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];
/**
 * The TLS 1.2 suites a class may choose: BoringSSL's ECDHE AEAD suites and the older ones Envoy
 * still accepts (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/transport_sockets/tls/v3/common.proto).
 */
export const TLS_CIPHER_SUITES = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-SHA',
  'AES256-SHA',
] as const;
/**
 * The conditions a class may retry on, Envoy's retry_on words. The first three are safe for any
 * method: the request cannot have reached the backend. The others may replay a request the
 * backend already received, so they retry only idempotent methods unless retries.nonIdempotent.
 */
export const SAFE_RETRY_CONDITIONS = ['connect-failure', 'refused-stream', 'reset-before-request'] as const;
export const RETRY_CONDITIONS = [...SAFE_RETRY_CONDITIONS, 'reset', 'gateway-error', '5xx'] as const;
export type RetryCondition = (typeof RETRY_CONDITIONS)[number];
/** nginx caps nothing (0 is unlimited); Portico, as for the proxy-next-upstream-tries annotation, at 10. */
export const MAX_RETRY_TRIES = 10;
/** ingress-nginx's http-redirect-code accepts these. */
export const REDIRECT_STATUS_CODES = [301, 302, 307, 308] as const;
export type RedirectStatusCode = (typeof REDIRECT_STATUS_CODES)[number];
/** ingress-nginx's ConfigMap defaults: hsts "true", hsts-max-age "31536000", hsts-include-subdomains "true", hsts-preload "false". */
export const MAX_HSTS_MAX_AGE_SECONDS = 2 ** 31 - 1;

/**
 * Every default, as the API server fills them into `spec: {}`. The values keep what Portico did
 * before parameters existed (Envoy's edge-proxy recommendations), so a class without parameters
 * and a class with empty parameters get identical configuration.
 */
export const DEFAULT_PARAMETERS_SPEC: ParametersSpec = {
  listeners: { http: { address: '0.0.0.0', port: 8080 }, https: { address: '0.0.0.0', port: 8443 } },
  // backendIdle: nginx's proxy-read-timeout / proxy-send-timeout.
  timeouts: { connect: '5s', request: '300s', requestHeaders: '10s', idle: '1h', streamIdle: '300s', backendIdle: '60s' },
  // Envoy's own default for headers; bodies are unlimited unless a platform team sets a limit
  // (a limit buffers whole request bodies: docs/decisions/0014-no-default-body-limit.md).
  requestLimits: { maxRequestHeadersKiB: 60, maxBodySize: '0' },
  clientIP: { useRemoteAddress: true, xffNumTrustedHops: 0 },
  accessLog: { enabled: false, format: 'Text' },
  annotationFamilies: { nginx: true, unhonouredAccessControl: 'Refuse' },
  tls: { minimumVersion: '1.2', hsts: { enabled: true, maxAgeSeconds: 31536000, includeSubDomains: true, preload: false } },
  envoy: { virtualHostDiscovery: false },
  // nginx's "error timeout" and 3 tries, limited to what cannot have reached the backend.
  retries: { on: ['connect-failure', 'refused-stream', 'reset-before-request'], tries: 3, nonIdempotent: false },
  redirects: { statusCode: 308 },
};
