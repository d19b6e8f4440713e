// `kubectl apply --server-side` for tests: finds each object's resource through API discovery and
// PATCHes it with application/apply-patch+yaml, a field manager and strict field validation, so a
// manifest the API server would refuse (or whose fields it would silently drop) fails the call.
import type { KubeConfig } from '@kubernetes/client-node';
import { requestJson } from '../../operator/src/kube/kube-http.js';

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  [field: string]: unknown;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

export class ServerSideApplier {
  private readonly discovered = new Map<string, ApiResource[]>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly fieldManager: string,
  ) {}

  async apply(object: ManifestObject, signal: AbortSignal = AbortSignal.timeout(30_000)): Promise<unknown> {
    const query = new URLSearchParams({ fieldManager: this.fieldManager, force: 'true', fieldValidation: 'Strict' });
    // JSON is YAML, so the apply-patch+yaml content type takes the object as JSON.
    return requestJson(this.kc, 'PATCH', `${await this.pathOf(object, signal)}?${query}`, signal, object, 'application/apply-patch+yaml');
  }

  /** Forgets discovery, e.g. after CRDs were installed. */
  refresh(): void {
    this.discovered.clear();
  }

  async pathOf(object: ManifestObject, signal: AbortSignal): Promise<string> {
    const base = object.apiVersion.includes('/') ? `/apis/${object.apiVersion}` : `/api/${object.apiVersion}`;
    let resources = this.discovered.get(base);
    if (!resources) {
      resources = ((await requestJson(this.kc, 'GET', base, signal)) as { resources: ApiResource[] }).resources;
      this.discovered.set(base, resources);
    }
    const resource = resources.find((r) => r.kind === object.kind && !r.name.includes('/'));
    if (!resource) throw new Error(`${object.apiVersion} ${object.kind} is not served by the API server`);
    const name = encodeURIComponent(object.metadata.name);
    if (!resource.namespaced) return `${base}/${resource.name}/${name}`;
    const namespace = object.metadata.namespace;
    if (!namespace) throw new Error(`${object.kind} ${object.metadata.name} is namespaced but the manifest names no namespace`);
    return `${base}/namespaces/${encodeURIComponent(namespace)}/${resource.name}/${name}`;
  }
}
