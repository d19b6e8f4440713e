// The standalone source: reads manifest files and folders into a ClusterState. A file that cannot
// be read or parsed becomes a diagnostic naming the file; it never throws, so a caller can keep
// serving its last good state.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { compareStrings } from '../../util/compare.js';
import { ClusterStateBuilder } from '../../store/cluster-state-builder.js';
import type { ClusterState } from '../../store/cluster-state.js';
import type { ManifestCache, ParsedFile } from './manifest-cache.js';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

export interface LoadedManifests {
  state: ClusterState;
  problems: Diagnostic[];
  /** True when some input could not be read or parsed at all (as opposed to objects with problems). */
  unreadable: boolean;
}

/** `cache` lets a caller that reloads the same folder skip parsing files that did not change. */
export function loadManifests(paths: readonly string[], cache?: ManifestCache): LoadedManifests {
  const builder = new ClusterStateBuilder();
  const problems: Diagnostic[] = [];
  const files = expandPaths(paths, problems);
  let unreadable = problems.length > 0;
  cache?.retainOnly(new Set(files));
  for (const file of files) {
    const result = cachedParse(file, cache);
    if ('error' in result) {
      problems.push({ object: file, severity: 'error', message: result.error });
      unreadable = true;
      continue;
    }
    result.documents.forEach((document, index) => {
      const where = result.documents.length > 1 ? `${file} (document ${index + 1})` : file;
      problems.push(...builder.add(document, where));
    });
  }
  return { state: builder.build(), problems, unreadable };
}

/** Files named directly, plus every manifest file under named folders, in a stable order. */
function expandPaths(paths: readonly string[], problems: Diagnostic[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    let stats;
    try {
      stats = statSync(path);
    } catch (error) {
      problems.push({ object: path, severity: 'error', message: `cannot read: ${describe(error)}` });
      continue;
    }
    if (stats.isDirectory()) files.push(...manifestFilesUnder(path));
    else files.push(path);
  }
  return files;
}

function manifestFilesUnder(dir: string): string[] {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => compareStrings(a.name, b.name));
  return entries.flatMap((entry) => {
    if (entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return manifestFilesUnder(path);
    return MANIFEST_EXTENSIONS.has(extname(entry.name)) ? [path] : [];
  });
}

function cachedParse(file: string, cache: ManifestCache | undefined): ParsedFile {
  if (!cache) return parseManifestFile(file);
  let stats;
  try {
    stats = statSync(file);
  } catch (error) {
    return { error: `cannot read: ${describe(error)}` };
  }
  return cache.get(file, stats, () => parseManifestFile(file));
}

function parseManifestFile(file: string): ParsedFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { error: `cannot read: ${describe(error)}` };
  }
  const documents: unknown[] = [];
  for (const document of parseAllDocuments(text)) {
    const firstError = document.errors[0];
    if (firstError) {
      const line = firstError.linePos?.[0];
      const at = line ? ` at line ${line.line}, column ${line.col}` : '';
      // The parser repeats the position at the end of its first line; say it once.
      const reason = (firstError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      return { error: `not valid YAML${at}: ${reason}` };
    }
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    documents.push(...flattenLists(value));
  }
  return { documents };
}

/** `kind: List` (what `kubectl get -o yaml` prints) holds its objects in items. */
function flattenLists(value: unknown): unknown[] {
  if (isRecord(value) && value['kind'] === 'List' && Array.isArray(value['items'])) {
    return value['items'].flatMap(flattenLists);
  }
  return [value];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return 'no such file or directory';
  return error instanceof Error ? error.message : String(error);
}
