import { cpSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../observability/src/index.js';
import type { FleetResources } from '../../../xds-server/src/index.js';
import type { LogFields } from '../../../observability/src/index.js';
import { ManifestApplier } from './manifest-applier.js';
import type { FleetPublisher } from './fleet-publication.js';
import { fleetSize } from './fleet-shrinkage.js';
import type { FleetSize } from './fleet-shrinkage.js';

const SEED = new URL('../../../examples/seed', import.meta.url).pathname;
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function setup(quietMs = 20) {
  const dir = mkdtempSync(join(tmpdir(), 'portico-applier-'));
  dirs.push(dir);
  cpSync(SEED, dir, { recursive: true });
  const published = new Map<string, FleetResources>();
  // Every publish and removal, in order, as the fleet's size: what clients would have been sent.
  const history: Array<{ fleet: string; size: FleetSize | 'removed' }> = [];
  const publisher: FleetPublisher = {
    publishFleet: (fleet, resources) => {
      const changed = JSON.stringify(published.get(fleet)) !== JSON.stringify(resources);
      published.set(fleet, resources);
      history.push({ fleet, size: fleetSize(resources) });
      return { changed: changed ? ['any'] : [] };
    },
    removeFleet: (fleet) => {
      history.push({ fleet, size: 'removed' });
      return published.delete(fleet);
    },
  };
  const logs: LogFields[] = [];
  const logger = createLogger({ write: (line) => void logs.push(JSON.parse(line) as LogFields) });
  return { dir, published, history, applier: new ManifestApplier(dir, publisher, logger, { quietMs }), logs };
}

const SEED_SIZE = { listeners: 1, clusters: 2, virtualHosts: 3 };

describe('ManifestApplier', () => {
  it('publishes every fleet of the folder', async () => {
    const { published, applier } = setup();
    expect(applier.hasConfiguration).toBe(false);
    expect(await applier.apply()).toMatchObject({ applied: true, changed: ['nginx'], fleets: [{ fleet: 'nginx', ingressClass: 'nginx' }] });
    expect(applier.hasConfiguration).toBe(true);
    expect(published.get('nginx')?.clusters.map((c) => c.name)).toEqual(['default/nginx1/80', 'default/nginx2/80']);
    expect((await applier.apply())?.changed).toEqual([]);
  });

  it('keeps the last good configuration while a file cannot be parsed, naming the file', async () => {
    const { dir, published, applier, logs } = setup();
    await applier.apply();
    const before = JSON.stringify(published.get('nginx'));
    writeFileSync(join(dir, 'endpoint-slices.yaml'), 'kind: EndpointSlice\nmetadata: [broken\n');
    expect(await applier.apply()).toMatchObject({ applied: false, changed: [] });
    expect(JSON.stringify(published.get('nginx'))).toBe(before);
    expect(logs.find((l) => l['event'] === 'manifests.unreadable')?.['file']).toBe(join(dir, 'endpoint-slices.yaml'));
    expect(logs.find((l) => l['event'] === 'config.kept')).toMatchObject({ serving: ['nginx'] });
  });

  it('retires a fleet whose IngressClass is gone, with a warning naming the file', async () => {
    const { dir, published, applier, logs } = setup();
    await applier.apply();
    unlinkSync(join(dir, 'ingress-class.yaml'));
    expect(await applier.apply()).toMatchObject({ applied: true, changed: ['nginx'], fleets: [] });
    expect(published.has('nginx')).toBe(false);
    expect(logs.filter((l) => l['event'] === 'config.large_removal')).toMatchObject([
      { level: 'warn', fleet: 'nginx', before: SEED_SIZE, after: { listeners: 0, clusters: 0, virtualHosts: 0 }, files: [join(dir, 'ingress-class.yaml')] },
    ]);
  });

  it('applies a reload that removes most of a fleet, after the quiet period, and says so loudly', async () => {
    const { dir, published, applier, logs } = setup();
    await applier.apply();
    // An emptied file: what a truncate looks like when no write follows.
    truncateSync(join(dir, 'ingress.yaml'), 0);
    expect(await applier.apply()).toMatchObject({ applied: true, changed: ['nginx'] });
    expect(fleetSize(published.get('nginx') as FleetResources)).toEqual({ listeners: 1, clusters: 0, virtualHosts: 0 });
    const warning = logs.find((l) => l['event'] === 'config.large_removal');
    expect(warning).toMatchObject({ level: 'warn', fleet: 'nginx', before: SEED_SIZE, after: { listeners: 1, clusters: 0, virtualHosts: 0 }, files: [join(dir, 'ingress.yaml')] });
    expect(String(warning?.['applied'])).toMatch(/^yes/);
  });

  it('does not warn about edits that keep most of the fleet', async () => {
    const { dir, applier, logs } = setup();
    await applier.apply();
    const file = join(dir, 'endpoint-slices.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('10.0.2.10', '10.0.2.99'));
    await applier.apply();
    expect(logs.filter((l) => l['event'] === 'config.large_removal')).toEqual([]);
  });

  it('never publishes a file caught between truncate and write', async () => {
    const { dir, history, applier } = setup(300);
    await applier.apply();
    const file = join(dir, 'ingress.yaml');
    const content = readFileSync(file, 'utf8');
    const classFile = join(dir, 'ingress-class.yaml');
    const classContent = readFileSync(classFile, 'utf8');
    history.length = 0;
    truncateSync(file, 0);
    truncateSync(classFile, 0);
    const applying = applier.apply();
    await sleep(150);
    writeFileSync(classFile, classContent);
    writeFileSync(file, content.replace('nginx2.example.com', 'nginx3.example.com'));
    await applying;
    expect(history).toEqual([{ fleet: 'nginx', size: SEED_SIZE }]);
  });

  it('logs each diagnostic once while it lasts', async () => {
    const { dir, applier, logs } = setup();
    writeFileSync(join(dir, 'extra.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: x }\n');
    await applier.apply();
    await applier.apply();
    expect(logs.filter((l) => l['event'] === 'config.diagnostic')).toHaveLength(1);
  });
});
