// How `portico check` prints its report: a compact table per Ingress for people, or one JSON
// document for scripts (schema: docs/migrating-from-ingress-nginx.md, "portico check -o json").
// Only names, levels and diagnostics are printed: never an annotation's value, never a Secret.
import { escapeControlCharacters } from '../util/characters.js';
import type { AnnotationVerdict, CheckReport, IngressCheck } from './check-command-report.js';
import { VERDICT_TEXT } from './check-command-report.js';

export type CheckSource = { kind: 'files'; paths: string[] } | { kind: 'cluster'; context: string; server: string; namespace: string | null };

export interface CheckDocument extends CheckReport {
  source: CheckSource;
  /** What the reader should know about the input: parts not seen, classes adopted. */
  notes: string[];
}

export function renderJson(document: CheckDocument): string {
  const { schemaVersion, source, notes, summary, ingresses, diagnostics } = document;
  return `${JSON.stringify({ schemaVersion, source, notes, summary, ingresses, diagnostics }, null, 2)}\n`;
}

export function renderText(document: CheckDocument): string {
  const out: string[] = [];
  const { source } = document;
  out.push(source.kind === 'files' ? `Checked files: ${source.paths.join(', ')}` : `Checked cluster ${source.server} (context ${source.context}), ${source.namespace === null ? 'all namespaces' : `namespace ${source.namespace}`}`);
  for (const note of document.notes) out.push(`note: ${note}`);
  for (const check of document.ingresses) out.push('', ...ingressLines(check));
  if (document.diagnostics.length > 0) {
    out.push('', 'Other objects:');
    for (const d of document.diagnostics) out.push(`  ${d.severity}: ${d.object}: ${d.message}`);
  }
  const { summary } = document;
  const counts = (['served', 'served-with-warnings', 'served-with-errors', 'not-served', 'not-ours'] as const).filter((v) => summary[v] > 0).map((v) => `${summary[v]} ${VERDICT_TEXT[v]}`);
  out.push('', `${summary.ingresses} Ingress${summary.ingresses === 1 ? '' : 'es'}${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`);
  if (summary['not-ours'] > 0) out.push("Ingresses that are not ours are not judged; to see how Portico would serve another controller's class after the migration, add --adopt-class <name>.");
  return `${out.map(escapeControlCharacters).join('\n')}\n`;
}

function ingressLines(check: IngressCheck): string[] {
  const lines = [`${check.object}${check.ingressClass !== undefined ? ` (class ${check.ingressClass})` : ''}: ${VERDICT_TEXT[check.verdict].toUpperCase()}`];
  for (const reason of check.reasons) lines.push(`  ${reason}`);
  if (check.verdict === 'not-ours') return lines;
  if (check.annotations.length > 0) {
    const support = (a: AnnotationVerdict): string => (a.problems ? `${a.support} [${a.problems.includes('error') ? 'error' : 'warning'}]` : a.support);
    const nameWidth = Math.max('ANNOTATION'.length, ...check.annotations.map((a) => a.name.length));
    const supportWidth = Math.max('SUPPORT'.length, ...check.annotations.map((a) => support(a).length));
    lines.push(`  ${'ANNOTATION'.padEnd(nameWidth)}  ${'SUPPORT'.padEnd(supportWidth)}  DIFFERENCE FROM INGRESS-NGINX`);
    for (const a of check.annotations) lines.push(`  ${a.name.padEnd(nameWidth)}  ${support(a).padEnd(supportWidth)}  ${a.note ?? ''}`.trimEnd());
  }
  for (const d of check.diagnostics) lines.push(`  ${d.severity}: ${d.message}`);
  return lines;
}
