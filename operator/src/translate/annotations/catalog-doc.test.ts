// docs/annotations.md and the catalog (catalog.ts with the families' rows) must agree: the doc's
// table is generated from the catalog (operator/src/cli/check-command-annotations.ts) and this
// fails until it is regenerated after a row changes:
//
//   npx tsx operator/src/cli/check-command-annotations.ts --write
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ANNOTATIONS_DOC, REGENERATE_COMMAND, TABLE_BEGIN, TABLE_END, annotationsMarkdown, withGeneratedTable } from '../../cli/check-command-annotations.js';
import { catalogEntries } from './catalog.js';

const doc = readFileSync(ANNOTATIONS_DOC, 'utf8');

/** The rows of the doc's generated table: annotation (without the prefix) → support level. */
function docTable(): Map<string, string> {
  const begin = doc.indexOf(TABLE_BEGIN);
  const end = doc.indexOf(TABLE_END);
  expect(begin, 'docs/annotations.md has the generated table markers').toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(begin);
  const rows = new Map<string, string>();
  for (const line of doc.slice(begin, end).split('\n')) {
    const cells = /^\| `([^`]+)` \| ([a-z-]+) \|/.exec(line);
    if (!cells) continue;
    expect(rows.has(cells[1] ?? ''), `one row for ${cells[1]}`).toBe(false);
    rows.set(cells[1] ?? '', cells[2] ?? '');
  }
  return rows;
}

describe('docs/annotations.md', () => {
  const stale = `docs/annotations.md is out of step with the catalog: run ${REGENERATE_COMMAND}`;

  it('has one table row per catalog entry, with its support level', () => {
    const rows = docTable();
    for (const entry of catalogEntries()) expect(rows.get(entry.name), `${entry.name}: ${stale}`).toBe(entry.support);
  });

  it('has no row for an annotation the catalog does not know', () => {
    const known = new Set(catalogEntries().map((e) => e.name));
    for (const name of docTable().keys()) expect(known.has(name), `${name}: ${stale}`).toBe(true);
  });

  it('carries the table exactly as generated (notes included)', () => {
    expect(doc.includes(annotationsMarkdown()), stale).toBe(true);
    expect(withGeneratedTable(doc)).toBe(doc);
  });

  it('names the command that regenerates it at the top of the table', () => {
    expect(doc.slice(doc.indexOf(TABLE_BEGIN)).split('\n')[1]).toContain(REGENERATE_COMMAND);
  });

  it('details only annotations the catalog knows', () => {
    const known = new Set(catalogEntries().map((e) => e.name));
    const details = doc.slice(doc.indexOf('## Details'));
    // Each detail bullet starts with the annotations it describes: - **`a`**, **`b`** (…): …
    for (const line of details.split('\n')) {
      const lead = /^- ((?:\*\*`[^`]+`\*\*(?:, | or )?)+)/.exec(line)?.[1];
      for (const name of lead?.match(/`[^`]+`/g) ?? []) expect(known.has(name.slice(1, -1)), `docs/annotations.md details ${name}, which the catalog does not list`).toBe(true);
    }
  });
});
