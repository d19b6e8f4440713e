// A resource that breaks the protoc-gen-validate rules of Envoy's protos: Envoy would reject it
// (and with it the whole response), so the server never sends it.
import type { ValidationViolation } from '../protos/validate.js';

/** The violations shown per resource; the rest are counted. */
const SHOWN = 3;

export class InvalidResourceError extends Error {
  constructor(readonly violations: readonly ValidationViolation[]) {
    super(`breaks Envoy's validation rules: ${describeViolations(violations)}`);
  }
}

export function describeViolations(violations: readonly ValidationViolation[]): string {
  const shown = violations.slice(0, SHOWN).map((v) => `${v.path || '(message)'}: ${v.message}`);
  if (violations.length > SHOWN) shown.push(`and ${violations.length - SHOWN} more`);
  return shown.join('; ');
}
