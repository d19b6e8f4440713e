// Writes operator/src/store/schemas/kubernetes-openapi.json: the OpenAPI v3 schemas of the kinds
// Portico reads, as the real kube-apiserver of e2e/apiserver/versions.sh serves them, trimmed to
// the components those kinds reach. Run after changing KUBE_VERSION:
//   npx tsx e2e/apiserver/dump-openapi-schemas.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requestJson } from '../../operator/src/kube/kube-http.js';
import { startControlPlane } from '../harness/control-plane.js';

const GROUPS: Record<string, string[]> = {
  'api/v1': ['io.k8s.api.core.v1.Service', 'io.k8s.api.core.v1.Secret'],
  'apis/networking.k8s.io/v1': ['io.k8s.api.networking.v1.Ingress', 'io.k8s.api.networking.v1.IngressClass'],
  'apis/discovery.k8s.io/v1': ['io.k8s.api.discovery.v1.EndpointSlice'],
};

type Schema = Record<string, unknown>;

function references(value: unknown, into: Set<string>): void {
  if (Array.isArray(value)) for (const item of value) references(item, into);
  else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') into.add(inner.replace('#/components/schemas/', ''));
      else references(inner, into);
    }
  }
}

/** Descriptions are most of the bytes and none of the rules. */
function withoutDescriptions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutDescriptions);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => key !== 'description').map(([key, inner]) => [key, withoutDescriptions(inner)]));
}

const plane = await startControlPlane();
try {
  const kc = plane.kubeConfig();
  const schemas: Record<string, Schema> = {};
  const roots: Record<string, string> = {};
  for (const [group, kinds] of Object.entries(GROUPS)) {
    const document = (await requestJson(kc, 'GET', `/openapi/v3/${group}`, AbortSignal.timeout(30_000))) as { components: { schemas: Record<string, Schema> } };
    const all = document.components.schemas;
    const pending = [...kinds];
    while (pending.length > 0) {
      const name = pending.pop() ?? '';
      if (schemas[name]) continue;
      const schema = all[name];
      if (!schema) throw new Error(`${group} serves no schema ${name}`);
      schemas[name] = withoutDescriptions(schema) as Schema;
      const found = new Set<string>();
      references(schema, found);
      pending.push(...found);
    }
    for (const kind of kinds) roots[kind.slice(kind.lastIndexOf('.') + 1)] = kind;
  }
  const version = (await requestJson(kc, 'GET', '/version', AbortSignal.timeout(10_000))) as { gitVersion: string };
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => (a < b ? -1 : 1)));
  const out = join(import.meta.dirname, '..', '..', 'operator', 'src', 'store', 'schemas', 'kubernetes-openapi.json');
  writeFileSync(out, `${JSON.stringify({ kubernetesVersion: version.gitVersion, kinds: roots, schemas: sorted }, null, 1)}\n`);
  console.log(`wrote ${Object.keys(sorted).length} schemas for ${Object.keys(roots).join(', ')} (${version.gitVersion}) to ${out}`);
} finally {
  await plane.stop();
}
