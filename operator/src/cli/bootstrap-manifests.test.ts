// The Envoy bootstrap shipped in config/ and in the Helm chart is exactly what `portico bootstrap`
// prints (config/generate-bootstrap.sh writes both; rerun it after changing the generator).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHIPPED_ENVOY } from '../../../xds-server/src/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(import.meta.dirname, 'main.ts');

/** What `portico bootstrap --output-dir` writes: envoy.yaml and the two SDS files of the xDS client certificate. */
function bootstrapFiles(fleet: string, xdsAddress: string): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'portico-bootstrap-'));
  try {
    const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'bootstrap', '--ingress-class', fleet, '--xds-address', xdsAddress, '--output-dir', dir], { encoding: 'utf8', cwd: ROOT });
    expect(result.stderr).toBe('');
    return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the committed Envoy bootstrap', () => {
  it('in config/envoy/bootstrap-configmap.yaml is the output of portico bootstrap for the sample class: the bootstrap and its SDS files', () => {
    const configMap = parse(readFileSync(join(ROOT, 'config', 'envoy', 'bootstrap-configmap.yaml'), 'utf8')) as { data: Record<string, string> };
    const files = bootstrapFiles('portico', 'portico.portico-system.svc:18000');
    expect(Object.keys(files)).toEqual(['envoy.yaml', 'xds-client-certificate.yaml', 'xds-trusted-ca.yaml']);
    expect(configMap.data).toEqual(files);
  }, 20_000);

  it('in the Helm chart is the same output with the fleet and xDS host left to the template', () => {
    const files = bootstrapFiles('PORTICO_FLEET', 'PORTICO_XDS_HOST:18000');
    const chartFile = (name: string): string => readFileSync(join(ROOT, 'charts', 'portico', 'files', name), 'utf8');
    expect(chartFile('envoy-bootstrap.yaml')).toBe(files['envoy.yaml']);
    expect(chartFile('xds-client-certificate.yaml')).toBe(files['xds-client-certificate.yaml']);
    expect(chartFile('xds-trusted-ca.yaml')).toBe(files['xds-trusted-ca.yaml']);
  }, 20_000);
});

describe('the shipped Envoy image', () => {
  it('is SHIPPED_ENVOY in the kustomize fleets, the Helm values and the install docs', () => {
    const images = (file: string): string[] => [...readFileSync(join(ROOT, file), 'utf8').matchAll(/envoyproxy\/envoy:[^\s`'"|]+/g)].map((m) => m[0]);
    for (const file of ['config/envoy/daemonset/daemonset.yaml', 'config/envoy/deployment/deployment.yaml', 'charts/portico/values.yaml', 'docs/install.md', 'docs/envoy-compatibility.md']) {
      expect(images(file), file).not.toEqual([]);
      expect(new Set(images(file)), file).toEqual(new Set([SHIPPED_ENVOY.image]));
    }
    expect(SHIPPED_ENVOY.image).toContain(`:v${SHIPPED_ENVOY.minor}.`);
  });
});
