// Test helper: YAML manifests in, translated configuration out, through the same builder and
// pipeline that `portico translate` uses.
import { parseAllDocuments } from 'yaml';
import type { RouteConfiguration } from '../../../xds-server/src/resources.js';
import type { EnvoyConfig, FleetConfig } from '../pipeline.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { ClusterStateBuilder } from '../store/cluster-state-builder.js';
import type { ClusterState } from '../store/cluster-state.js';

export function stateFromYaml(...texts: string[]): ClusterState {
  const builder = new ClusterStateBuilder();
  for (const text of texts) {
    for (const document of parseAllDocuments(text)) {
      const value: unknown = document.toJS();
      if (value === null) continue;
      const problems = builder.add(value, 'test input');
      if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
    }
  }
  return builder.build();
}

export function translateYaml(...texts: string[]): EnvoyConfig {
  return buildEnvoyConfig(stateFromYaml(...texts));
}

export function fleetOf(config: EnvoyConfig, ingressClass: string): FleetConfig {
  const fleet = config.fleets.find((f) => f.ingressClass === ingressClass);
  if (!fleet) throw new Error(`no fleet for IngressClass ${ingressClass}; fleets: ${config.fleets.map((f) => f.ingressClass).join(', ')}`);
  return fleet;
}

export function routeConfigurationOf(config: EnvoyConfig, ingressClass: string): RouteConfiguration {
  const [routes] = fleetOf(config, ingressClass).resources.routeConfigurations;
  if (!routes) throw new Error(`IngressClass ${ingressClass} has no RouteConfiguration`);
  return routes;
}

/** Manifests for tests: our IngressClass plus Services (with one ready endpoint each) named in `services`. */
export function fixtures(options: { className?: string; services: string[]; namespace?: string }): string {
  const className = options.className ?? 'portico';
  const namespace = options.namespace ?? 'default';
  const docs = [
    `apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: ${className}}\nspec: {controller: portico.dev/ingress-controller}`,
  ];
  options.services.forEach((service, index) => {
    docs.push(
      `apiVersion: v1\nkind: Service\nmetadata: {name: ${service}, namespace: ${namespace}}\nspec: {ports: [{name: http, port: 80}]}`,
      `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: ${service}-1, namespace: ${namespace}, labels: {kubernetes.io/service-name: ${service}}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [{addresses: [10.1.${index}.1]}]`,
    );
  });
  return docs.join('\n---\n');
}

interface PathRule {
  path: string;
  pathType: string;
  service: string;
}

/** One Ingress of class `portico` with one host (or none) and the given paths. */
export function ingressYaml(options: { name?: string; host?: string; paths: PathRule[]; annotations?: Record<string, string>; defaultBackend?: string; created?: string }): string {
  const annotations = options.annotations ? `\n  annotations: ${JSON.stringify(options.annotations)}` : '';
  const created = options.created ? `\n  creationTimestamp: "${options.created}"` : '';
  const paths = options.paths
    .map((p) => `        - {path: ${JSON.stringify(p.path)}, pathType: ${p.pathType}, backend: {service: {name: ${p.service}, port: {number: 80}}}}`)
    .join('\n');
  const host = options.host ? `\n    - host: ${options.host}\n      http:` : '\n    - http:';
  const defaultBackend = options.defaultBackend ? `\n  defaultBackend: {service: {name: ${options.defaultBackend}, port: {number: 80}}}` : '';
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: ${options.name ?? 'web'}
  namespace: default${annotations}${created}
spec:
  ingressClassName: portico${defaultBackend}
  rules:${host}
        paths:
${paths}`;
}
