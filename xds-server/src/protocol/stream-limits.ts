// What one ADS stream may make the server hold, whatever the client sends. Envoy and gRPC clients
// stay far below every limit (an Envoy of a 10,000-Ingress fleet subscribes to about 20,000 names);
// a client over one is refused with a status naming what it exceeded, not served at any cost.

export interface StreamLimits {
  /** Resource names one stream may be subscribed to, over all types. */
  maxSubscribedNames: number;
  /** Characters of those names together (a few long names cost as much as many short ones). */
  maxSubscribedNameChars: number;
  /** node.id: it keys NACK bookkeeping and per-node stream counts. */
  maxNodeIdChars: number;
  /** node.cluster names an IngressClass, a DNS subdomain: at most 253 characters. */
  maxClusterChars: number;
  /** What is kept and logged of a NACK's error_detail message. */
  maxErrorDetailChars: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxSubscribedNames: 100_000,
  maxSubscribedNameChars: 8 * 1024 * 1024,
  maxNodeIdChars: 1024,
  maxClusterChars: 253,
  maxErrorDetailChars: 1024,
};

/** A user agent is for humans reading logs and /debug/xds; longer ones are cut. */
export const MAX_USER_AGENT_CHARS = 256;

/** Distinct unsupported type URLs logged per stream; a client cycling through made-up ones is logged no further. */
export const MAX_UNSUPPORTED_TYPES_LOGGED = 8;

/** A version_info a client sends back: Portico's are 16 hex digits, a made-up one can be megabytes. */
export const MAX_CLIENT_VERSION_CHARS = 256;

/** Type URLs as they appear in logs: a made-up one can be as long as a request. */
export const MAX_LOGGED_TYPE_URL_CHARS = 256;
