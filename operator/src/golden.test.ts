// Golden tests: manifests in (testdata/golden/<case>/*.yaml), the exact `portico translate -o yaml`
// document out (testdata/golden/<case>/output.yaml). Regenerate after an intended change with
//   UPDATE_GOLDEN=1 npx vitest run operator/src/golden.test.ts
// and review the diff. Each case is also translated from shuffled input, which must give the
// same bytes, and every resource must pass the Envoy protos' validation rules.
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES } from '../../xds-server/src/protos/envoy-protos.js';
import { encodeMessage } from '../../xds-server/src/protos/envoy-protos.js';
import { validateMessage } from '../../xds-server/src/protos/validate.js';
import { FLEET_FIELD_BY_KIND, resourcesOfKind } from '../../xds-server/src/resources.js';
import { withVirtualHostDiscovery } from '../../xds-server/src/cache/virtual-host-discovery.js';
import type { ResourceKind } from '../../xds-server/src/protos/envoy-protos.js';
import { renderDocument, translationDocument } from './cli/translation-output.js';
import { buildEnvoyConfig } from './pipeline.js';
import { loadManifests } from './sources/manifests/load-manifests.js';
import type { ClusterState } from './store/cluster-state.js';
import type { XdsProtocol } from '../../xds-server/src/index.js';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const GOLDEN_DIR = join(REPO_ROOT, 'testdata', 'golden');
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
/** The instant certificates are judged at: the fixtures (make-tls-secrets.py) are valid, expiring or expired around it. */
const GOLDEN_NOW = Date.parse('2026-11-29T00:00:00Z');

interface GoldenCase {
  name: string;
  inputs: string[];
  output: string;
  protocol?: XdsProtocol;
}

function goldenCases(): GoldenCase[] {
  const cases: GoldenCase[] = readdirSync(GOLDEN_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const dir = join(GOLDEN_DIR, entry.name);
      const files = readdirSync(dir);
      const inputs = files.filter((f) => f.endsWith('.yaml') && !f.startsWith('output.')).map((f) => join(dir, f));
      const sotw: GoldenCase = { name: entry.name, inputs, output: join(dir, 'output.yaml') };
      // A case with output.delta.yaml also pins what Delta clients get (VHDS where a class has it).
      if (!files.includes('output.delta.yaml')) return [sotw];
      return [sotw, { name: `${entry.name}, Delta view`, inputs, output: join(dir, 'output.delta.yaml'), protocol: 'delta' as const }];
    });
  // The seed scenario is read from examples/ itself, so the example can never drift from its golden.
  const seed = [join(GOLDEN_DIR, '..', '..', 'examples', 'seed')];
  cases.push({ name: 'seed (examples/seed)', inputs: seed, output: join(GOLDEN_DIR, 'seed.output.yaml') });
  // What Delta clients get by default: the very same whole route tables (VHDS is opt-in per class).
  cases.push({ name: 'seed, Delta view (examples/seed)', inputs: seed, output: join(GOLDEN_DIR, 'seed.delta.output.yaml'), protocol: 'delta' });
  return cases;
}

function render(inputs: string[], shuffle?: (state: ClusterState) => ClusterState, protocol: XdsProtocol = 'sotw'): string {
  const loaded = loadManifests(inputs);
  const state = shuffle ? shuffle(loaded.state) : loaded.state;
  // File names in diagnostics are made relative, so the golden does not depend on the checkout path.
  const problems = loaded.problems.map((p) => ({ ...p, object: relative(REPO_ROOT, p.object) }));
  return renderDocument(translationDocument(buildEnvoyConfig(state, GOLDEN_NOW), problems, protocol), 'yaml');
}

/** Reverses and rotates every list: a different arrival order, deterministically. */
function reorder(state: ClusterState): ClusterState {
  const rotate = <T>(items: readonly T[]): T[] => {
    const reversed = [...items].reverse();
    return [...reversed.slice(1), ...reversed.slice(0, 1)];
  };
  return {
    ingresses: rotate(state.ingresses),
    ingressClasses: rotate(state.ingressClasses),
    services: rotate(state.services),
    endpointSlices: rotate(state.endpointSlices),
    secrets: rotate(state.secrets),
    ingressClassParameters: rotate(state.ingressClassParameters),
    clusterIngressClassParameters: rotate(state.clusterIngressClassParameters),
  };
}

describe('golden translation', () => {
  for (const golden of goldenCases()) {
    describe(golden.name, () => {
      it('matches the golden output', () => {
        const actual = render(golden.inputs, undefined, golden.protocol);
        if (UPDATE || !existsSync(golden.output)) {
          if (!UPDATE) throw new Error(`${golden.output} is missing; run with UPDATE_GOLDEN=1 to create it`);
          writeFileSync(golden.output, actual);
        }
        expect(actual).toBe(readFileSync(golden.output, 'utf8'));
      });

      it('gives the same bytes whatever order the objects arrive in', () => {
        expect(render(golden.inputs, reorder, golden.protocol)).toBe(render(golden.inputs, undefined, golden.protocol));
      });

      it('produces resources that encode and pass protoc-gen-validate rules', () => {
        const config = buildEnvoyConfig(loadManifests(golden.inputs).state, GOLDEN_NOW);
        for (const fleet of config.fleets) {
          // Both views: what SotW clients get and what Delta clients get (VHDS split).
          for (const view of [fleet.resources, withVirtualHostDiscovery(fleet.resources, fleet.origins).resources]) {
            for (const kind of Object.keys(FLEET_FIELD_BY_KIND) as ResourceKind[]) {
              for (const resource of resourcesOfKind(view, kind)) {
                expect(validateMessage(RESOURCE_TYPES[kind], resource), `${fleet.ingressClass} ${kind}`).toEqual([]);
                expect(encodeMessage(RESOURCE_TYPES[kind], resource).length).toBeGreaterThan(0);
              }
            }
          }
        }
      });
    });
  }
});
