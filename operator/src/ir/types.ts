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
   * Over plain HTTP, answer 308 to the same URL on https (ingress-nginx's ssl-redirect), unless a
   * trusted proxy in front says the request came over HTTPS (X-Forwarded-Proto).
   */
  httpsRedirect?: true;
}

export interface IrForward {
  kind: 'forward';
  cluster: string;
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

export interface IrRedirect {
  kind: 'redirect';
  path: string;
  statusCode: 302;
}

export interface IrCluster {
  /** `namespace/service/port`; the port is the Service port number when it resolved. */
  name: string;
  endpoints: IrEndpoint[];
  /** The Ingresses that route to this cluster, plus the Service and slices it came from. */
  origins: string[];
}

export interface IrEndpoint {
  address: string;
  port: number;
  /** topology zone from the EndpointSlice, '' when unknown. */
  zone: string;
}
