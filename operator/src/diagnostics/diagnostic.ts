// Problems found while reading or translating objects. Translation never throws for bad input:
// it returns diagnostics, which the CLI prints and the status writer turns into Events.

/**
 * `error`: not served as written; `warning`: served, but something differs from what was asked
 * (or has no effect); `info`: worth knowing, nothing to fix for most users (a route proxyless gRPC
 * clients do not get: docs/proxyless-grpc.md). Info is listed by `portico check` and
 * `portico translate` and logged by `portico serve`, but changes no verdict, exit status or Event.
 */
export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** The object the user has to fix, e.g. "Ingress default/web" or a file path. */
  object: string;
  severity: Severity;
  /** Names the field, e.g. `spec.rules[0].http.paths[1].backend.service.port.name: ...`. */
  message: string;
}
