// The intermediate representation: what each fleet should do, in Ingress terms but with every
// Kubernetes question (classes, ports, conflicts, precedence) already answered. The Envoy
// translator reads only this, so it never needs to know about Kubernetes objects.

export interface IrFleet {
  ingressClass: string;
  /** node.cluster of the Envoys that receive this configuration. */
  fleet: string;
  httpListener: IrListener;
  /** Absent when the class has no usable certificate at all: nothing listens for HTTPS. */
  https?: IrHttps;
  /** Served as SDS Secrets; the HTTPS listener refers to them by name. Sorted by name. */
  certificates: IrCertificate[];
  /** How the listener treats downstream HTTP: timeouts, limits, client addresses, logging. */
  http: IrHttpOptions;
  /** How Envoy connects to backends. */
  upstream: IrUpstreamOptions;
  /** How the xDS server cuts the fleet for Delta clients (the resources are the same). */
  xds: IrXdsOptions;
  /** Sorted: exact hosts by name, then wildcard hosts, then the catch-all `*` last. */
  virtualHosts: IrVirtualHost[];
  /** Sorted by name. Every cluster a route refers to is here. */
  clusters: IrCluster[];
  /** What every route does unless its own policy says otherwise (the class's parameters). */
  routeDefaults: IrRouteDefaults;
}

/** Class-wide route behaviour, ingress-nginx's ConfigMap defaults; a route's policy overrides each field. */
export interface IrRouteDefaults {
  /** The longest wait between two reads from (or writes to) the backend; 0: none. No overall limit, as nginx. */
  backendIdleTimeoutMs: number;
  /** Absent: no retries. */
  retry?: IrRetryPolicy;
  /** The status of the redirects to HTTPS (httpsRedirect routes): ingress-nginx's http-redirect-code. */
  httpsRedirectCode: IrRedirectStatus;
}

export interface IrListener {
  name: string;
  address: string;
  port: number;
}

export interface IrHttps {
  listener: IrListener;
  minimumVersion: '1.2' | '1.3';
  /** TLS 1.2 suites, BoringSSL names; absent: Envoy's defaults. */
  cipherSuites?: string[];
  /** One SNI filter chain per certificate, with the hosts it serves; sorted by certificate. */
  chains: IrTlsChain[];
  /** For clients whose SNI names no chain's host (or that send none); absent: the connection is closed. */
  defaultCertificate?: string;
}

export interface IrTlsChain {
  certificate: string;
  /** Exact and wildcard names, sorted. */
  serverNames: string[];
}

export interface IrCertificate {
  /** The SDS name: `namespace/name` of the Kubernetes Secret, stable across rotations. */
  name: string;
  /** PEM, leaf first. */
  certificateChain: string;
  /** PEM. Never printed: outputs redact it. */
  privateKey: string;
  notAfterMs: number;
  /** The Secret and the Ingresses (or IngressClass) that use it. */
  origins: string[];
}

export interface IrHttpOptions {
  /** Milliseconds; 0 disables the timeout. */
  requestTimeoutMs: number;
  requestHeadersTimeoutMs: number;
  /** A downstream connection with no active stream for this long is closed. */
  idleTimeoutMs: number;
  streamIdleTimeoutMs: number;
  maxRequestHeadersKiB: number;
  /** Larger request bodies get 413; 0 means no limit (and no buffering). */
  maxRequestBodyBytes: number;
  /** Trust the connection's peer address rather than X-Forwarded-For. */
  useRemoteAddress: boolean;
  /** Proxies in front of Envoy whose X-Forwarded-For entries are trusted. */
  xffNumTrustedHops: number;
  /** Absent: no access log. */
  accessLog?: { format: 'Text' | 'JSON' };
}

export interface IrXdsOptions {
  /** Delta clients get route tables split per host (VHDS); else whole RouteConfigurations. */
  virtualHostDiscovery: boolean;
}

export interface IrUpstreamOptions {
  connectTimeoutMs: number;
}

/** A class whose fleet must keep its last good configuration (its parameters cannot be used). */
export interface IrHeldClass {
  ingressClass: string;
  reason: string;
}

export interface IrVirtualHost {
  /** The Ingress host (lowercase), `*.example.com`, or `*` for rules without a host. */
  host: string;
  /** Routes in match order: Envoy takes the first that matches. */
  routes: IrRoute[];
  /**
   * Wildcard hosts only: what a request gets whose Host Envoy files under this virtual host
   * (`*.example.com` matches any depth) but Kubernetes does not (a wildcard covers one label):
   * the routes of a host no rule names, i.e. the hostless rules, then the default backend.
   */
  fallthrough?: IrRoute[];
  /** Strict-Transport-Security value for HTTPS responses: hosts served with a certificate of their own. */
  hsts?: string;
}

export type IrPathMatch =
  /** The whole path, case-sensitive. */
  | { kind: 'exact'; path: string }
  /** Element-wise prefix on '/', trailing slash already removed ('/' stays '/'). */
  | { kind: 'prefix'; path: string }
  /** Plain string prefix: ImplementationSpecific paths without use-regex (as ingress-nginx). */
  | { kind: 'stringPrefix'; path: string }
  /** RE2 that must match the start of the path (ingress-nginx's `location ~*`), case-insensitive. */
  | { kind: 'regex'; regex: string };

export interface IrRoute {
  match: IrPathMatch;
  action: IrForward | IrRedirect | IrDeny;
  /** "Ingress namespace/name" that produced the route. */
  origin: string;
  /** Stable, human-readable route name, e.g. "default/web/rule-0/path-1". */
  name: string;
  /**
   * Over plain HTTP, redirect to the same URL on https (ingress-nginx's ssl-redirect) with the
   * fleet's routeDefaults.httpsRedirectCode (308 unless the class says otherwise), unless a
   * trusted proxy in front says the request came over HTTPS (X-Forwarded-Proto).
   */
  httpsRedirect?: true;
  /** Per-route behaviour from the Ingress's annotations; absent fields take the fleet's routeDefaults. */
  policy?: IrRoutePolicy;
}

/**
 * What an Ingress's annotations ask of its routes. The Envoy stage turns each field into route
 * fields or the per-route config of one HTTP filter (envoy/http-filters/).
 */
export interface IrRoutePolicy {
  /** proxy-read-timeout / proxy-send-timeout: the longest wait between two reads or writes; 0: none. */
  backendIdleTimeoutMs?: number;
  /** proxy-body-size: larger request bodies get 413; 0: no limit. The body is buffered, as nginx does. */
  maxRequestBodyBytes?: number;
  /** proxy-next-upstream*: `false` turns the class's retries off for this route. */
  retry?: IrRetryPolicy | false;
  /** upstream-vhost: the Host (authority) the backend receives. */
  hostRewrite?: string;
  /** Set on the request to the backend, replacing a client's value (x-forwarded-prefix). */
  requestHeaders?: IrHeader[];
  /** Set on the response, replacing the backend's value (custom-headers). */
  responseHeaders?: IrHeader[];
  /** Which endpoint a request goes to; the route's cluster then balances by hash. */
  hash?: IrHashPolicy;
  cors?: IrCors;
  /** allow/deny source ranges: a client outside them gets 403. */
  sourceRanges?: IrSourceRanges;
  externalAuth?: IrExternalAuth;
  basicAuth?: IrBasicAuth;
  rateLimit?: IrRateLimit;
  /** enable-access-log: "false" keeps this route's requests out of the access log. */
  accessLog?: false;
}

export interface IrHeader {
  name: string;
  value: string;
}

export interface IrRetryPolicy {
  /** Envoy retry_on conditions, e.g. connect-failure, refused-stream, reset-before-request. */
  on: string[];
  /** With retriable-status-codes: the statuses that are retried (nginx's http_502, …). */
  statusCodes?: number[];
  /** Retries after the first try (nginx's tries minus one). */
  numRetries: number;
  /** Retry only GET, HEAD, OPTIONS, PUT, DELETE and TRACE (nginx without non_idempotent). */
  idempotentOnly?: true;
}

export type IrHashPolicy =
  /**
   * affinity: cookie, where Envoy sets the cookie when absent (ttl 0: a session cookie); or
   * upstream-hash-by $cookie_NAME, without ttl: hashed when present, never set.
   */
  | { kind: 'cookie'; name: string; ttlSeconds?: number; path?: string; attributes?: IrHeader[] }
  /** upstream-hash-by with one request header, query parameter or the client address. */
  | { kind: 'header'; name: string }
  | { kind: 'queryParameter'; name: string }
  | { kind: 'sourceIp' };

export interface IrCors {
  /** `*` alone: any origin. Else origins (`https://a.example.com:8443`, `null`), compared without regard to case. */
  allowOrigins: string[];
  /** RE2s an Origin must match whole: wildcard subdomains (`https://*.example.com`), within Envoy's regex limits. */
  allowOriginRegexes?: string[];
  allowMethods: string[];
  allowHeaders: string[];
  exposeHeaders: string[];
  maxAgeSeconds: number;
  allowCredentials: boolean;
}

export interface IrSourceRanges {
  /** CIDRs a client must be in; empty: any. */
  allow: string[];
  /** CIDRs refused even when allowed. */
  deny: string[];
}

export interface IrExternalAuth {
  /** The cluster of the auth service: an in-cluster Service port (its endpoints come over EDS). */
  cluster: string;
  /** The auth-url as written (Envoy does not route by it: only the cluster and pathPrefix count). */
  url: string;
  /** The URL's path: Envoy asks for it followed by the request's own path (it cannot call an exact URL). */
  pathPrefix: string;
  /** Response headers of the auth service copied to the request to the backend (lowercase). */
  responseHeaders: string[];
  /** auth-request-redirect: the X-Auth-Request-Redirect sent; absent: the request's path. */
  requestRedirect?: string;
}

export interface IrBasicAuth {
  /** The Secret the users came from (namespace/name); the users themselves are in IrFleet.secrets. */
  secret: string;
  realm: string;
}

export interface IrRateLimit {
  /** Each applies per client address; a request must pass all (nginx applies limit-rps and limit-rpm both). */
  limits: IrRequestRate[];
}

export interface IrRequestRate {
  requests: number;
  unit: 'second' | 'minute';
  /** Requests above the rate a client may send at once (nginx's burst: the rate times limit-burst-multiplier). */
  burst: number;
}

export interface IrForward {
  kind: 'forward';
  cluster: string;
  /** A canary Ingress's share of this route's traffic. */
  canary?: IrCanary;
  /** ingress-nginx rewrite-target: the whole path is replaced; `\N` refers to capture groups. */
  rewrite?: { pattern: string; substitution: string };
}

/** Answered by Envoy itself, never forwarded: an Ingress whose access control Portico cannot honour. */
export interface IrDeny {
  kind: 'deny';
  status: 503;
  /** The response body: why, for whoever gets it. */
  message: string;
}

/** ingress-nginx canary: header, then cookie, then weight decide which requests the canary gets. */
export interface IrCanary {
  cluster: string;
  /** "Ingress namespace/name" of the canary Ingress. */
  origin: string;
  /**
   * canary-by-header (lowercase name): "always" → canary, "never" → primary; or an exact value, or
   * an RE2 the whole value must match (`pattern`, already written to match anywhere), that means canary.
   */
  header?: { name: string; value?: string; pattern?: string };
  /** canary-by-cookie: RE2s over the whole Cookie header that say its value is "always" (→ canary) or "never" (→ primary). */
  cookie?: { name: string; always: string; never: string };
  /** canary-weight out of totalWeight (canary-weight-total, at least 100); at most totalWeight. */
  weight: number;
  totalWeight: number;
}

export type IrRedirectStatus = 301 | 302 | 303 | 307 | 308;

/** Answered by Envoy with a redirect; what is not given stays as the request had it. */
export interface IrRedirect {
  kind: 'redirect';
  scheme?: 'http' | 'https';
  /** from-to-www-redirect, permanent-/temporal-redirect: the host (no port). */
  host?: string;
  port?: number;
  /** The new path, which may carry its own query; app-root keeps the request's query. */
  path?: string;
  /** Drop the request's query (nginx's `return CODE URL` sends the URL as written). */
  stripQuery?: true;
  statusCode: IrRedirectStatus;
}

export interface IrCluster {
  /**
   * `namespace/service/port`; the port is the Service port number when it resolved. A cluster
   * with settings of its own (protocol, balancing, connect timeout) appends them,
   * `namespace/service/port/h2,least-request`, so they never leak to another Ingress's routes.
   */
  name: string;
  /** The ClusterLoadAssignment (EDS name) it takes endpoints from: every variant of a Service port shares one. */
  loadAssignment: string;
  settings: IrClusterSettings;
  endpoints: IrEndpoint[];
  /** The Ingresses that route to this cluster, plus the Service and slices it came from. */
  origins: string[];
}

/** How Envoy talks to one backend; the defaults are HTTP/1.1 in plain text, round robin. */
export interface IrClusterSettings {
  /** http1, http2 (gRPC, h2c), or whatever the client used (AUTO_HTTP). */
  protocol: 'http1' | 'http2' | 'downstream';
  /** HTTPS or GRPCS backends: TLS to the endpoint, SNI the given name when set. No verification unless asked. */
  tls?: { sni?: string };
  balancing: 'roundRobin' | 'leastRequest' | 'ringHash';
  /** Absent: the fleet's upstream.connectTimeoutMs. */
  connectTimeoutMs?: number;
}

export interface IrEndpoint {
  address: string;
  port: number;
  /** topology zone from the EndpointSlice, '' when unknown. */
  zone: string;
}
