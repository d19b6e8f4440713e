// docs/envoy-compatibility.md must list every Envoy field, enum value and typed extension that
// Portico emits, so that each has been checked against the Envoy release Portico ships. This walks
// what Envoy is sent — every golden case in both views, and every bootstrap form — and compares.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { withVirtualHostDiscovery } from '../../xds-server/src/cache/virtual-host-discovery.js';
import { XDS_CLIENT_TLS_DEFAULTS, clientCertificateSds, envoyBootstrap, parseXdsAddress, trustedCaSds, XDS_PROTOCOLS } from '../../xds-server/src/index.js';
import { collectEmittedFeatures } from '../../xds-server/src/protos/emitted-features.js';
import { envoyProtos, RESOURCE_TYPES } from '../../xds-server/src/protos/envoy-protos.js';
import type { ResourceKind } from '../../xds-server/src/protos/envoy-protos.js';
import { FLEET_FIELD_BY_KIND, resourcesOfKind } from '../../xds-server/src/resources.js';
import { buildEnvoyConfig } from './pipeline.js';
import { loadManifests } from './sources/manifests/load-manifests.js';

const ROOT = join(import.meta.dirname, '..', '..');
const TABLE = join(ROOT, 'docs', 'envoy-compatibility.md');
const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';
const SECRET = 'envoy.extensions.transport_sockets.tls.v3.Secret';

/** `Type.field`, `Type.field: ENUM_VALUE`, or a typed extension's full message name. */
const FEATURE = /^(?:[A-Z]\w*\.[a-z0-9_]+(?:: [A-Za-z0-9_]+)?|(?:envoy|xds)\.[a-z0-9_.]+\.[A-Z]\w*)$/;

/** The features named in the first column of the table under "What Portico emits". */
function tableFeatures(markdown: string): Set<string> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('What Portico emits')) ?? '';
  const features = new Set<string>();
  for (const line of section.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| Portico emits')) continue;
    const firstColumn = line.split('|')[1] ?? '';
    for (const [, token = ''] of firstColumn.matchAll(/`([^`]+)`/g)) if (FEATURE.test(token)) features.add(token);
  }
  return features;
}

function emittedFeatures(): Set<string> {
  const features = new Set<string>();
  const golden = join(ROOT, 'testdata', 'golden');
  const inputs = readdirSync(golden, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => join(golden, e.name));
  for (const input of [...inputs, join(ROOT, 'examples', 'seed')]) {
    for (const fleet of buildEnvoyConfig(loadManifests([input]).state).fleets) {
      // SotW clients get the resources as they are; Delta clients the same, or split with VHDS.
      const views = [fleet.resources, ...(fleet.virtualHostDiscovery ? [withVirtualHostDiscovery(fleet.resources, fleet.origins).resources] : [])];
      for (const view of views) {
        for (const kind of Object.keys(FLEET_FIELD_BY_KIND) as ResourceKind[]) {
          for (const resource of resourcesOfKind(view, kind)) collectEmittedFeatures(RESOURCE_TYPES[kind], resource, features);
        }
      }
    }
  }
  for (const xdsProtocol of XDS_PROTOCOLS) {
    for (const address of ['127.0.0.1:18000', 'portico.portico-system.svc:18000']) {
      for (const tls of [XDS_CLIENT_TLS_DEFAULTS, false] as const) {
        const xds = parseXdsAddress(address);
        collectEmittedFeatures(BOOTSTRAP, envoyBootstrap({ fleet: 'f', nodeId: 'n', xds, xdsProtocol, tls }), features);
        // The SDS files the TLS bootstrap reads its certificate and CA from.
        for (const file of [clientCertificateSds(XDS_CLIENT_TLS_DEFAULTS), trustedCaSds(xds, XDS_CLIENT_TLS_DEFAULTS)]) {
          for (const resource of file.resources) collectEmittedFeatures(SECRET, Object.fromEntries(Object.entries(resource).filter(([key]) => key !== '@type')), features);
        }
      }
    }
  }
  return features;
}

/** Every message of the loaded Envoy API by its short name (several where names repeat). */
function messagesByShortName(): Map<string, protobuf.Type[]> {
  const byName = new Map<string, protobuf.Type[]>();
  const visit = (namespace: protobuf.NamespaceBase): void => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) byName.set(nested.name, [...(byName.get(nested.name) ?? []), nested]);
      if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(envoyProtos());
  return byName;
}

/** Why a table entry names nothing in the Envoy API, or undefined when it does. */
function unknownFeature(feature: string, messages: Map<string, protobuf.Type[]>): string | undefined {
  if (feature.startsWith('envoy.') || feature.startsWith('xds.')) return envoyProtos().lookup(feature) instanceof protobuf.Type ? undefined : 'no such message';
  const [path = '', enumValue] = feature.split(': ');
  const [typeName = '', fieldName = ''] = path.split('.');
  const fields = (messages.get(typeName) ?? []).flatMap((type) => type.fields[fieldName] ?? []);
  if (fields.length === 0) return 'no such field';
  if (enumValue === undefined) return undefined;
  const known = fields.some((field) => {
    field.resolve();
    return field.resolvedType instanceof protobuf.Enum && enumValue in field.resolvedType.values;
  });
  return known ? undefined : 'no such enum value';
}

describe('docs/envoy-compatibility.md', () => {
  const table = tableFeatures(readFileSync(TABLE, 'utf8'));
  const emitted = emittedFeatures();

  it('has a row for every field, enum value and typed extension Portico sends Envoy', () => {
    expect(emitted.size).toBeGreaterThan(100);
    const missing = [...emitted].filter((feature) => !table.has(feature)).sort();
    expect(missing, 'add these to docs/envoy-compatibility.md after checking them against Envoy').toEqual([]);
  });

  it('names only real parts of the Envoy API', () => {
    const messages = messagesByShortName();
    const wrong = [...table].flatMap((feature) => {
      const why = unknownFeature(feature, messages);
      return why ? [`${feature}: ${why}`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it('would notice a feature the table does not list', () => {
    const withKeepalive = collectEmittedFeatures('envoy.config.cluster.v3.Cluster', { name: 'x', ignore_health_on_host_removal: true });
    expect([...withKeepalive].filter((feature) => !table.has(feature))).toEqual(['Cluster.ignore_health_on_host_removal']);
  });
});

describe('collectEmittedFeatures', () => {
  it('names fields, enum values and typed extensions, and stops at well-known types', () => {
    const listener = {
      name: 'l',
      filter_chains: [{ filters: [{ name: 'hcm', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', codec_type: 'AUTO', stream_idle_timeout: { seconds: 5 } } }] }],
    };
    expect([...collectEmittedFeatures('envoy.config.listener.v3.Listener', listener)].sort()).toEqual([
      'Filter.name',
      'Filter.typed_config',
      'FilterChain.filters',
      'HttpConnectionManager.codec_type',
      'HttpConnectionManager.codec_type: AUTO',
      'HttpConnectionManager.stream_idle_timeout',
      'Listener.filter_chains',
      'Listener.name',
      'envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager',
    ]);
  });

  it('refuses a typed config it cannot see into, and a field the message does not have', () => {
    expect(() => collectEmittedFeatures('envoy.config.listener.v3.Filter', { name: 'x', typed_config: { '@type': 'type.googleapis.com/example.Unknown' } })).toThrow(/not a loaded message/);
    expect(() => collectEmittedFeatures('envoy.config.listener.v3.Listener', { nmae: 'x' })).toThrow(/has no field "nmae"/);
  });
});
