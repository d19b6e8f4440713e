// The annotation catalog (translate/annotations/catalog.ts) as people read it: `portico check
// --annotations` prints it, and docs/annotations.md carries it as one generated table, kept in
// step by operator/src/translate/annotations/catalog-doc.test.ts. Run as a script, this file
// rewrites that table:
//
//   npx tsx operator/src/cli/check-command-annotations.ts --write
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AnnotationEntry } from '../translate/annotations/catalog.js';
import { catalogEntries } from '../translate/annotations/catalog.js';
import { NGINX_PREFIX } from '../translate/annotations/prefix.js';
import { compareStrings } from '../util/compare.js';

export const ANNOTATIONS_DOC = join(import.meta.dirname, '..', '..', '..', 'docs', 'annotations.md');
export const REGENERATE_COMMAND = 'npx tsx operator/src/cli/check-command-annotations.ts --write';
export const TABLE_BEGIN = '<!-- BEGIN generated annotation table: edit catalog.ts and the family modules, not this table -->';
export const TABLE_END = '<!-- END generated annotation table -->';

/** One row per catalog entry, sorted by name. */
export interface CatalogRow {
  /** Without the nginx.ingress.kubernetes.io/ prefix. */
  name: string;
  support: AnnotationEntry['support'];
  accessControl: boolean;
  /** The difference from ingress-nginx as the doc states it (the entry's note, and what the level means). */
  difference: string;
}

export function catalogRows(): CatalogRow[] {
  return [...catalogEntries()]
    .sort((a, b) => compareStrings(a.name, b.name))
    .map((entry) => ({ name: entry.name, support: entry.support, accessControl: entry.accessControl === true, difference: differenceOf(entry) }));
}

function differenceOf(entry: AnnotationEntry): string {
  const note = entry.note;
  switch (entry.support) {
    case 'honoured':
      return note ?? 'none';
    case 'approximated':
      return note ?? 'applied with a difference';
    case 'refused':
      return `${note ?? 'not honoured'}; the Ingress is not served (503)`;
    case 'no-op':
      return note ?? 'no effect on Envoy';
    case 'unsupported':
      return note === undefined ? 'not supported: no effect (a warning)' : `${note}; no effect (a warning)`;
  }
}

/** The table section of docs/annotations.md, markers included. */
export function annotationsMarkdown(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const lines = [
    TABLE_BEGIN,
    `Generated from the catalog: regenerate with \`${REGENERATE_COMMAND}\`.`,
    '',
    '| annotation | support | difference from ingress-nginx |',
    '|---|---|---|',
    ...catalogRows().map((row) => `| \`${row.name}\` | ${row.support} | ${cell(row.difference)} |`),
    TABLE_END,
  ];
  return `${lines.join('\n')}\n`;
}

/** The doc with its generated table replaced by the catalog's; throws when the markers are missing. */
export function withGeneratedTable(doc: string): string {
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`docs/annotations.md lacks the markers of its generated table (${TABLE_BEGIN} … ${TABLE_END})`);
  return `${doc.slice(0, begin)}${annotationsMarkdown()}${doc.slice(end + TABLE_END.length).replace(/^\n/, '')}`;
}

/** `portico check --annotations`: the catalog as a compact table. */
export function annotationsText(): string {
  const rows = catalogRows();
  const width = Math.max(...rows.map((r) => r.name.length), 'ANNOTATION'.length);
  const lines = [`${'ANNOTATION'.padEnd(width)}  ${'SUPPORT'.padEnd(12)}  DIFFERENCE FROM INGRESS-NGINX (prefix ${NGINX_PREFIX})`];
  for (const row of rows) lines.push(`${row.name.padEnd(width)}  ${row.support.padEnd(12)}  ${row.difference}`);
  return `${lines.join('\n')}\n`;
}

/** `portico check --annotations -o json`. */
export function annotationsJson(): string {
  const annotations = catalogRows().map((row) => ({ name: NGINX_PREFIX + row.name, support: row.support, accessControl: row.accessControl, difference: row.difference }));
  return `${JSON.stringify({ annotations }, null, 2)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const current = readFileSync(ANNOTATIONS_DOC, 'utf8');
  const next = withGeneratedTable(current);
  if (process.argv.includes('--write')) {
    if (next !== current) writeFileSync(ANNOTATIONS_DOC, next);
    process.stdout.write(next === current ? 'docs/annotations.md: up to date\n' : 'docs/annotations.md: table regenerated\n');
  } else {
    process.stdout.write(annotationsMarkdown());
  }
}
