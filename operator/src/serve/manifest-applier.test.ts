import { cpSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../xds-server/src/index.js';
import type { FleetResources, LogFields } from '../../../xds-server/src/index.js';
import { ManifestApplier } from './manifest-applier.js';
import type { FleetPublisher } from './fleet-publication.js';

const SEED = new URL('../../../examples/seed', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'portico-applier-'));
  dirs.push(dir);
  cpSync(SEED, dir, { recursive: true });
  const published = new Map<string, FleetResources>();
  const publisher: FleetPublisher = {
    publishFleet: (fleet, resources) => {
      const changed = JSON.stringify(published.get(fleet)) !== JSON.stringify(resources);
      published.set(fleet, resources);
      return { changed: changed ? ['any'] : [] };
    },
    removeFleet: (fleet) => published.delete(fleet),
  };
  const logs: LogFields[] = [];
  const logger = createLogger({ write: (line) => void logs.push(JSON.parse(line) as LogFields) });
  return { dir, published, applier: new ManifestApplier(dir, publisher, logger), logs };
}

describe('ManifestApplier', () => {
  it('publishes every fleet of the folder', () => {
    const { published, applier } = setup();
    expect(applier.hasConfiguration).toBe(false);
    expect(applier.apply()).toMatchObject({ applied: true, changed: ['nginx'], fleets: [{ fleet: 'nginx', ingressClass: 'nginx' }] });
    expect(applier.hasConfiguration).toBe(true);
    expect(published.get('nginx')?.clusters.map((c) => c.name)).toEqual(['default/nginx1/80', 'default/nginx2/80']);
    expect(applier.apply().changed).toEqual([]);
  });

  it('keeps the last good configuration while a file cannot be parsed, naming the file', () => {
    const { dir, published, applier, logs } = setup();
    applier.apply();
    const before = JSON.stringify(published.get('nginx'));
    writeFileSync(join(dir, 'endpoint-slices.yaml'), 'kind: EndpointSlice\nmetadata: [broken\n');
    expect(applier.apply()).toMatchObject({ applied: false, changed: [] });
    expect(JSON.stringify(published.get('nginx'))).toBe(before);
    expect(logs.find((l) => l['event'] === 'manifests.unreadable')?.['file']).toBe(join(dir, 'endpoint-slices.yaml'));
    expect(logs.find((l) => l['event'] === 'config.kept')).toMatchObject({ serving: ['nginx'] });
  });

  it('retires a fleet whose IngressClass is gone', () => {
    const { dir, published, applier } = setup();
    applier.apply();
    unlinkSync(join(dir, 'ingress-class.yaml'));
    expect(applier.apply()).toMatchObject({ applied: true, changed: ['nginx'], fleets: [] });
    expect(published.has('nginx')).toBe(false);
  });

  it('logs each diagnostic once while it lasts', () => {
    const { dir, applier, logs } = setup();
    writeFileSync(join(dir, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n');
    applier.apply();
    applier.apply();
    expect(logs.filter((l) => l['event'] === 'config.diagnostic')).toHaveLength(1);
  });
});
