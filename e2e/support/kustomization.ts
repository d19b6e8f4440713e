// Reads what a kustomization (or Component) lists, recursively, the way `kustomize build` finds
// its inputs: files, and folders that hold a kustomization of their own. Only `resources` is
// followed; patches are checked by the tests that need them. kustomize itself is not installed.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import type { ManifestObject } from './server-side-apply.js';

export function kustomizationResources(dir: string): string[] {
  const file = join(dir, 'kustomization.yaml');
  const kustomization = parse(readFileSync(file, 'utf8')) as { resources?: string[] };
  return (kustomization.resources ?? []).flatMap((entry) => {
    const path = resolve(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!existsSync(join(path, 'kustomization.yaml'))) throw new Error(`${file}: ${entry} is a folder without a kustomization.yaml`);
      return kustomizationResources(path);
    }
    return [path];
  });
}

export function manifestObjects(files: readonly string[]): Array<ManifestObject & { file: string }> {
  return files.flatMap((file) =>
    parseAllDocuments(readFileSync(file, 'utf8'))
      .map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]?.message ?? 'not YAML'}`);
        return document.toJS() as ManifestObject | null;
      })
      .filter((object): object is ManifestObject => object !== null)
      .map((object) => ({ ...object, file })),
  );
}

/** Every .yaml file under `dir` (sorted), for checking that no manifest is left out. */
export function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return yamlFilesUnder(path);
      return entry.name.endsWith('.yaml') ? [path] : [];
    })
    .sort();
}
