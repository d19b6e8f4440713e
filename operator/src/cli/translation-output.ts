// The document `portico translate` prints: per IngressClass, the Envoy resources in the proto3
// JSON mapping (with '@type' on every Any), then every diagnostic.
import { stringify } from 'yaml';
import type { JsonValue, ResourceKind, XdsProtocol } from '../../../xds-server/src/index.js';
import { FLEET_FIELD_BY_KIND, redactSecret, RESOURCE_TYPES, toProto3Json, withVirtualHostDiscovery } from '../../../xds-server/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { EnvoyConfig } from '../pipeline.js';

export type OutputFormat = 'json' | 'yaml';

const KIND_ORDER: ResourceKind[] = ['listener', 'routeConfiguration', 'cluster', 'clusterLoadAssignment', 'secret', 'virtualHost'];

export interface TranslationDocument {
  ingressClasses: Record<string, Record<string, JsonValue[]>>;
  diagnostics: Diagnostic[];
}

/**
 * `protocol` picks the view: SotW clients get whole RouteConfigurations, and so do Delta clients
 * unless the class turned VHDS on (spec.envoy.virtualHostDiscovery, accepted): then they get them
 * split, plus one VirtualHost resource per virtual host (what the server sends each).
 */
export function translationDocument(config: EnvoyConfig, extraDiagnostics: readonly Diagnostic[] = [], protocol: XdsProtocol = 'sotw', showSecrets = false): TranslationDocument {
  const ingressClasses: TranslationDocument['ingressClasses'] = {};
  for (const fleet of config.fleets) {
    const served = protocol === 'delta' && fleet.virtualHostDiscovery ? withVirtualHostDiscovery(fleet.resources, fleet.origins).resources : fleet.resources;
    // Private keys are left out unless asked for (`--show-secrets`, local debugging only).
    const view = showSecrets ? served : { ...served, secrets: served.secrets.map(redactSecret) };
    const resources: Record<string, JsonValue[]> = {};
    for (const kind of KIND_ORDER) {
      const field = FLEET_FIELD_BY_KIND[kind];
      const ofKind = view[field];
      if (ofKind) resources[field] = ofKind.map((resource) => toProto3Json(RESOURCE_TYPES[kind], resource));
    }
    ingressClasses[fleet.ingressClass] = resources;
  }
  return { ingressClasses, diagnostics: [...extraDiagnostics, ...config.diagnostics] };
}

export function renderDocument(document: TranslationDocument, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
