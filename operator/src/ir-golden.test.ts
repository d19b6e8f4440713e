// The IR is the one contract between translate/ and envoy/, so it has a golden level of its own,
// as Envoy Gateway's translator has testdata in/out beside its Gateway API → IR goldens:
//   Kubernetes → IR: testdata/golden/<case>/output.ir.yaml is the IR of the case's manifests;
//   IR → Envoy: that file, read back on its own, gives exactly the Envoy resources of the case.
// So the IR is complete (the Envoy stage needs nothing else) and serialisable. Private keys are
// redacted in the file, as in every printed form. Regenerate with
//   UPDATE_GOLDEN=1 npx vitest run operator/src/ir-golden.test.ts
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { REDACTED, redactSecret } from '../../xds-server/src/protos/redact-secret.js';
import type { FleetResources } from '../../xds-server/src/resources.js';
import { toFleetResources } from './envoy/fleet-resources.js';
import type { IrFleet, IrHeldClass, IrVirtualHost } from './ir/types.js';
import { validateIrFleet } from './ir/validate-ir.js';
import { buildEnvoyConfig } from './pipeline.js';
import { loadManifests } from './sources/manifests/load-manifests.js';
import { translateToIr } from './translate/translate.js';

const ROOT = join(import.meta.dirname, '..', '..');
const GOLDEN = join(ROOT, 'testdata', 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
/** As golden.test.ts: the instant the certificate fixtures are judged at. */
const GOLDEN_NOW = Date.parse('2026-11-29T00:00:00Z');

interface IrDocument {
  fleets: IrFleet[];
  held: IrHeldClass[];
}

const cases = [
  ...readdirSync(GOLDEN, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => ({ name: e.name, inputs: [join(GOLDEN, e.name)], ir: join(GOLDEN, e.name, 'output.ir.yaml') })),
  { name: 'seed (examples/seed)', inputs: [join(ROOT, 'examples', 'seed')], ir: join(GOLDEN, 'seed.output.ir.yaml') },
];

function irDocument(inputs: string[]): IrDocument {
  const { fleets, held } = translateToIr(loadManifests(inputs).state, GOLDEN_NOW);
  return { fleets: fleets.map((fleet) => ({ ...fleet, certificates: fleet.certificates.map((c) => ({ ...c, privateKey: REDACTED })) })), held };
}

function redacted(resources: FleetResources): FleetResources {
  return { ...resources, secrets: resources.secrets.map(redactSecret) };
}

describe.each(cases)('the IR of $name', ({ inputs, ir }) => {
  it('matches its golden (Kubernetes → IR)', () => {
    const actual = stringify(irDocument(inputs), { lineWidth: 0 });
    if (UPDATE || !existsSync(ir)) {
      if (!UPDATE) throw new Error(`${ir} is missing; run with UPDATE_GOLDEN=1 to create it`);
      writeFileSync(ir, actual);
    }
    expect(actual).toBe(readFileSync(ir, 'utf8'));
  });

  it('read back alone, gives exactly the Envoy resources of the case (IR → Envoy), and keeps the IR\'s rules', () => {
    const document = parse(readFileSync(ir, 'utf8')) as IrDocument;
    const expected = buildEnvoyConfig(loadManifests(inputs).state, GOLDEN_NOW).fleets;
    expect(document.fleets.map((fleet) => fleet.ingressClass)).toEqual(expected.map((fleet) => fleet.ingressClass));
    document.fleets.forEach((fleet, i) => {
      expect(validateIrFleet(fleet)).toEqual([]);
      const built = toFleetResources(fleet);
      expect(redacted(built.resources)).toEqual(redacted(expected[i]?.resources ?? built.resources));
      expect(built.origins).toEqual(expected[i]?.origins);
    });
  });
});

describe('validateIrFleet', () => {
  const [fleet] = irDocument([join(ROOT, 'examples', 'seed')]).fleets;

  it('finds a route to a cluster the fleet does not have, and unsorted clusters', () => {
    if (!fleet) throw new Error('the seed has a fleet');
    const [host] = fleet.virtualHosts;
    const broken: IrFleet = {
      ...fleet,
      clusters: [...fleet.clusters].reverse(),
      virtualHosts: host ? [{ ...host, routes: [{ ...host.routes[0]!, action: { kind: 'forward', cluster: 'nowhere/x/80' } }] }] : [],
    };
    expect(validateIrFleet(broken)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^clusters: .* is out of order or repeated$/),
      `virtualHosts[${host?.host ?? ''}].routes[0]: cluster nowhere/x/80 is not in clusters`,
    ]));
  });

  it('checks a virtual host checked before (the same object, as a spliced fleet holds it) against the clusters of the fleet it is in now', () => {
    if (!fleet) throw new Error('the seed has a fleet');
    expect(validateIrFleet(fleet)).toEqual([]);
    const [host] = fleet.virtualHosts;
    const route = host?.routes[0];
    if (!host || route?.action.kind !== 'forward') throw new Error('the seed forwards its first route');
    const used = route.action.cluster;
    expect(validateIrFleet({ ...fleet, clusters: fleet.clusters.filter((c) => c.name !== used) })).toContain(`virtualHosts[${host.host}].routes[0]: cluster ${used} is not in clusters`);
    // Hashing over a cluster that stopped balancing by hash: the same host, another cluster list.
    const hashing: IrVirtualHost = { ...host, routes: [{ ...route, policy: { ...route.policy, hash: { kind: 'sourceIp' } } }] };
    const ringHash = fleet.clusters.map((c) => (c.name === used ? { ...c, settings: { ...c.settings, balancing: 'ringHash' as const } } : c));
    expect(validateIrFleet({ ...fleet, virtualHosts: [hashing], clusters: ringHash })).toEqual([]);
    expect(validateIrFleet({ ...fleet, virtualHosts: [hashing] })).toEqual([`virtualHosts[${host.host}].routes[0]: hashes on a cluster that does not balance by hash`]);
  });

  it('checks only what differs from a sound fleet it was spliced from, and still finds what broke there', () => {
    if (!fleet) throw new Error('the seed has a fleet');
    const [host] = fleet.virtualHosts;
    const route = host?.routes[0];
    if (!host || !route) throw new Error('the seed has a route');
    const named = (name: string, broken = false): IrVirtualHost => ({ ...host, host: name, routes: broken ? [{ ...route, action: { kind: 'forward', cluster: 'nowhere/x/80' } }] : host.routes });
    const sound: IrFleet = { ...fleet, virtualHosts: [named('a.example.com'), named('b.example.com'), named('c.example.com')] };
    expect(validateIrFleet(sound)).toEqual([]);
    const [a, b, c] = sound.virtualHosts as [IrVirtualHost, IrVirtualHost, IrVirtualHost];
    expect(validateIrFleet({ ...sound, virtualHosts: [a, named('b.example.com'), c] }, sound)).toEqual([]);
    expect(validateIrFleet({ ...sound, virtualHosts: [a, named('b.example.com', true), c] }, sound)).toEqual([`virtualHosts[b.example.com].routes[0]: cluster nowhere/x/80 is not in clusters`]);
    expect(validateIrFleet({ ...sound, virtualHosts: [a, named('d.example.com'), c] }, sound)).toEqual(['virtualHosts: "c.example.com" is out of order or listed twice']);
    expect(validateIrFleet({ ...sound, virtualHosts: [named('b.example.com'), b, c] }, sound)).toEqual(['virtualHosts: "b.example.com" is out of order or listed twice']);
    // Another cluster list: every host is checked again, unchanged ones included.
    const used = route.action.kind === 'forward' ? route.action.cluster : '';
    expect(validateIrFleet({ ...sound, clusters: sound.clusters.filter((cl) => cl.name !== used) }, sound)).toHaveLength(3);
  });

  it('finds virtual hosts out of order (exact, then wildcard, then the catch-all) or listed twice', () => {
    if (!fleet) throw new Error('the seed has a fleet');
    const [host] = fleet.virtualHosts;
    if (!host) throw new Error('the seed has a virtual host');
    const named = (name: string): IrVirtualHost => ({ ...host, host: name });
    expect(validateIrFleet({ ...fleet, virtualHosts: [named('a.example.com'), named('b.example.com'), named('*.example.com'), named('*')] })).toEqual([]);
    expect(validateIrFleet({ ...fleet, virtualHosts: [named('b.example.com'), named('a.example.com')] })).toEqual(['virtualHosts: "a.example.com" is out of order or listed twice']);
    expect(validateIrFleet({ ...fleet, virtualHosts: [named('*.example.com'), named('a.example.com')] })).toEqual(['virtualHosts: "a.example.com" is out of order or listed twice']);
    expect(validateIrFleet({ ...fleet, virtualHosts: [named('a.example.com'), named('a.example.com')] })).toEqual(['virtualHosts: "a.example.com" is out of order or listed twice']);
  });
});
