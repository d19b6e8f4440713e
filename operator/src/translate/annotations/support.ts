// How far Portico honours one ingress-nginx annotation: a row of the catalog (catalog.ts), written
// by the family module that reads the annotation.

export type Support =
  /** Same meaning and defaults as ingress-nginx. */
  | 'honoured'
  /** Read and applied, with a difference the entry states. */
  | 'approximated'
  /** Guards access and is not honoured: the Ingress's routes answer 503 (fail closed). */
  | 'refused'
  /** Read, but has no effect on Envoy (it streams where nginx buffers); an informational warning. */
  | 'no-op'
  /** Not supported: a warning says it has no effect. */
  | 'unsupported';

export interface AnnotationEntry {
  /** Without the `nginx.ingress.kubernetes.io/` prefix. */
  name: string;
  support: Support;
  /** Guards access: an unusable value closes the Ingress rather than open it. */
  accessControl?: true;
  /** What differs from ingress-nginx, or why it is not supported. */
  note?: string;
}

