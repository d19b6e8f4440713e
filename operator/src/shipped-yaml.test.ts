// Every YAML file users hand to kubectl or Helm means what it says under YAML 1.1 too. Helm and
// kubectl read YAML as 1.1 (go-yaml), where an unquoted `on`, `off`, `yes`, `no`, `y` or `n` is a
// boolean: a CRD property named `on` became `"true"`, and every IngressClassParameters was refused
// for an unknown field. Portico's own reader (and this repository's tests) use YAML 1.2, where
// those are strings; this test makes the two readings agree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
/** What users apply or install; chart templates are Go templates, checked through `helm template` in e2e. */
const SHIPPED = ['crds', 'charts/portico/crds', 'charts/portico/values.yaml', 'charts/portico/Chart.yaml', 'config', 'examples'];

function yamlFiles(path: string): string[] {
  const full = join(ROOT, path);
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full).flatMap((entry) => (entry.endsWith('.yaml') || entry.endsWith('.yml') || statSync(join(full, entry)).isDirectory() ? yamlFiles(join(path, entry)) : []));
}

const read = (text: string, version: '1.1' | '1.2'): unknown[] => parseAllDocuments(text, { version }).map((d) => d.toJS() as unknown);

describe('shipped YAML', () => {
  const files = SHIPPED.flatMap(yamlFiles);

  it('is found (the list above still names real files)', () => {
    expect(files).toEqual(expect.arrayContaining(['crds/portico.dev_ingressclassparameters.yaml', 'charts/portico/crds/portico.dev_clusteringressclassparameters.yaml', 'config/envoy/daemonset/daemonset.yaml']));
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [relative(ROOT, join(ROOT, f))]))('%s reads the same as YAML 1.1 (Helm, kubectl) and 1.2', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    expect(read(text, '1.1')).toEqual(read(text, '1.2'));
  });
});
