// Parses a manifest file's text into loose objects. Safe on hostile input: aliases are bounded
// (a "billion laughs" document is refused, not expanded), only YAML 1.2 core types are built (a
// `!!binary`, `!!set` or custom tag is read as the plain string it holds, with a warning, whatever
// `%YAML` directive the file has), and a document that fails is a diagnostic naming the file and
// the document while the file's other documents are still read.
import { parseAllDocuments } from 'yaml';
import type { Document, DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { ManifestLimits } from './manifest-limits.js';

export interface ManifestObject {
  /** "file", or "file (document 2)", or "file (document 1, item 3)" for a `kind: List`. */
  where: string;
  value: unknown;
}

export interface ParsedManifest {
  objects: ManifestObject[];
  /** Documents that are not valid YAML (errors) and tags read as plain strings (warnings). */
  problems: Diagnostic[];
  /** Some document could not be read: the file as a whole is not what its author meant. */
  failed: boolean;
}

const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  // Pinned, so a `%YAML 1.1` directive cannot bring back 1.1's types (binary, timestamps, yes/no).
  version: '1.2',
  schema: 'core',
  // By default the core schema still builds Buffers, Sets and Dates for explicit 1.1 tags.
  resolveKnownTags: false,
  merge: false,
};

export function parseManifestText(text: string, file: string, limits: Pick<ManifestLimits, 'maxAliasCount'>): ParsedManifest {
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, OPTIONS) as Document.Parsed[];
  } catch (error) {
    // The parser reports problems as document errors; anything thrown is a bug or exhaustion.
    return { objects: [], problems: [{ object: file, severity: 'error', message: `not valid YAML: ${messageOf(error)}` }], failed: true };
  }
  const read = documents.map((document) => readDocument(document, limits.maxAliasCount));
  // A file holding one object is named alone, as users think of it; otherwise say which one.
  const single = read.filter((r) => r.kind !== 'empty').length === 1 && read.every((r) => r.kind !== 'list');
  const parsed: ParsedManifest = { objects: [], problems: [], failed: false };
  read.forEach((result, index) => {
    const where = single ? file : `${file} (document ${index + 1})`;
    if (result.kind === 'failed') {
      parsed.failed = true;
      parsed.problems.push({ object: where, severity: 'error', message: result.message });
      return;
    }
    if (result.kind === 'empty') return;
    for (const warning of result.warnings) parsed.problems.push({ object: where, severity: 'warning', message: warning });
    if (result.kind === 'object') parsed.objects.push({ where, value: result.value });
    else result.items.forEach((value, item) => parsed.objects.push({ where: `${file} (document ${index + 1}, item ${item + 1})`, value }));
  });
  return parsed;
}

type DocumentResult =
  | { kind: 'failed'; message: string }
  | { kind: 'empty' }
  | { kind: 'object'; value: unknown; warnings: string[] }
  | { kind: 'list'; items: unknown[]; warnings: string[] };

function readDocument(document: Document.Parsed, maxAliasCount: number): DocumentResult {
  const firstError = document.errors[0];
  if (firstError) return { kind: 'failed', message: `not valid YAML${position(firstError.linePos?.[0])}: ${firstLine(firstError.message)}` };
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount });
  } catch (error) {
    return { kind: 'failed', message: expansionFailure(error, maxAliasCount) };
  }
  if (value === null || value === undefined) return { kind: 'empty' };
  const warnings = tagWarnings(document);
  if (isList(value)) return { kind: 'list', items: value['items'].flatMap(flattenLists), warnings };
  return { kind: 'object', value, warnings };
}

/** `kind: List` (what `kubectl get -o yaml` prints) holds its objects in items. */
function flattenLists(value: unknown): unknown[] {
  return isList(value) ? value['items'].flatMap(flattenLists) : [value];
}

function isList(value: unknown): value is { kind: 'List'; items: unknown[] } {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && (value as Record<string, unknown>)['kind'] === 'List' && Array.isArray((value as Record<string, unknown>)['items']);
}

/** One warning per document, however many tags it has: a hostile file must not flood the log. */
function tagWarnings(document: Document.Parsed): string[] {
  const unresolved = document.warnings.filter((w) => w.code === 'TAG_RESOLVE_FAILED');
  const first = unresolved[0];
  if (!first) return [];
  const tag = /^Unresolved tag: (\S+)/.exec(first.message)?.[1] ?? 'a tag';
  const more = unresolved.length > 1 ? ` (and ${unresolved.length - 1} more tags)` : '';
  return [`YAML tag ${tag}${position(first.linePos?.[0])}${more} is not supported; the value is read as a plain string`];
}

function expansionFailure(error: unknown, maxAliasCount: number): string {
  if (error instanceof ReferenceError && /alias/i.test(error.message)) {
    return `not read: its aliases expand beyond the limit of ${maxAliasCount} (a "billion laughs" document?)`;
  }
  if (error instanceof RangeError) return 'not read: nested too deeply';
  return `not read: ${messageOf(error)}`;
}

function position(line: { line: number; col: number } | undefined): string {
  return line ? ` at line ${line.line}, column ${line.col}` : '';
}

/** The parser repeats the position at the end of its first line; say it once. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
