// The Envoy bootstrap shipped in config/ and in the Helm chart is exactly what `portico bootstrap`
// prints (config/generate-bootstrap.sh writes both; rerun it after changing the generator).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SHIPPED_ENVOY } from '../../../xds-server/src/index.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MAIN = join(import.meta.dirname, 'main.ts');

function bootstrap(fleet: string, xdsAddress: string): string {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'bootstrap', '--ingress-class', fleet, '--xds-address', xdsAddress], { encoding: 'utf8', cwd: ROOT });
  expect(result.stderr).toBe('');
  return result.stdout;
}

describe('the committed Envoy bootstrap', () => {
  it('in config/envoy/bootstrap-configmap.yaml is the output of portico bootstrap for the sample class', () => {
    const configMap = parse(readFileSync(join(ROOT, 'config', 'envoy', 'bootstrap-configmap.yaml'), 'utf8')) as { data: Record<string, string> };
    expect(configMap.data['envoy.yaml']).toBe(bootstrap('portico', 'portico.portico-system.svc:18000'));
  });

  it('in the Helm chart is the same output with the fleet and xDS host left to the template', () => {
    expect(readFileSync(join(ROOT, 'charts', 'portico', 'files', 'envoy-bootstrap.yaml'), 'utf8')).toBe(bootstrap('PORTICO_FLEET', 'PORTICO_XDS_HOST:18000'));
  });
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
