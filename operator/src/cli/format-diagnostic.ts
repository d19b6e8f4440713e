import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { escapeControlCharacters } from '../util/characters.js';

/** One line a person reads: "error: Ingress default/web: spec.rules[0].host: ...". */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  return escapeControlCharacters(`${diagnostic.severity}: ${diagnostic.object}: ${diagnostic.message}`);
}
