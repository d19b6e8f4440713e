// Test helper: IngressClasses with parameters and the parameters objects, as manifests.

export interface ClassOptions {
  name: string;
  /** Namespaced parameters `namespace/name`, or cluster-scoped parameters `name`. */
  parameters?: string;
  scope?: 'Namespace' | 'Cluster';
  kind?: string;
  apiGroup?: string;
}

export function ingressClassYaml(options: ClassOptions): string {
  const head = `apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: ${options.name}}\nspec:\n  controller: portico.dev/ingress-controller`;
  if (!options.parameters) return head;
  const [first, second] = options.parameters.split('/');
  const namespaced = second !== undefined;
  const kind = options.kind ?? (namespaced ? 'IngressClassParameters' : 'ClusterIngressClassParameters');
  const scope = options.scope ?? (namespaced ? 'Namespace' : 'Cluster');
  const where = namespaced ? `, namespace: ${first}, name: ${second}` : `, name: ${first}`;
  return `${head}\n  parameters: {apiGroup: ${options.apiGroup ?? 'portico.dev'}, kind: ${kind}, scope: ${scope}${where}}`;
}

/** `ref` is `namespace/name` for IngressClassParameters, `name` for ClusterIngressClassParameters. */
export function parametersYaml(ref: string, spec: object): string {
  const [first, second] = ref.split('/');
  const metadata = second !== undefined ? `{name: ${second}, namespace: ${first}}` : `{name: ${first}}`;
  const kind = second !== undefined ? 'IngressClassParameters' : 'ClusterIngressClassParameters';
  return `apiVersion: portico.dev/v1alpha1\nkind: ${kind}\nmetadata: ${metadata}\nspec: ${JSON.stringify(spec)}`;
}

export function serviceYaml(name: string, index: number): string {
  return [
    `apiVersion: v1\nkind: Service\nmetadata: {name: ${name}, namespace: default}\nspec: {ports: [{name: http, port: 80}]}`,
    `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${name}-1, namespace: default, labels: {kubernetes.io/service-name: ${name}}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [{addresses: [10.2.${index}.1]}]`,
  ].join('\n---\n');
}

export function classIngressYaml(name: string, className: string, host: string, service: string, annotations: Record<string, string> = {}): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: default, annotations: ${JSON.stringify(annotations)}}
spec:
  ingressClassName: ${className}
  rules: [{host: ${host}, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${service}, port: {number: 80}}}}]}}]`;
}
