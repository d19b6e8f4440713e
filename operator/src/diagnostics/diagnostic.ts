// Problems found while reading or translating objects. Translation never throws for bad input:
// it returns diagnostics, which the CLI prints and the status writer turns into Events.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** The object the user has to fix, e.g. "Ingress default/web" or a file path. */
  object: string;
  severity: Severity;
  /** Names the field, e.g. `spec.rules[0].http.paths[1].backend.service.port.name: ...`. */
  message: string;
}
