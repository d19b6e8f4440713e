// Proxyless gRPC clients must accept what they are served: every gRPC view (API listeners, their
// route tables, the clusters those routes use) of every golden case and the seed is decoded and
// validated by grpc-js-xds's own resource types — the code a real client runs on each resource,
// not a model of it. One rejected RouteConfiguration cuts every client of that table off.
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withGrpcView } from '../../xds-server/src/grpc/grpc-view.js';
import { encodeMessage, RESOURCE_TYPES, typeUrlOf } from '../../xds-server/src/protos/envoy-protos.js';
import type { Listener } from '../../xds-server/src/resources.js';
import { buildEnvoyConfig } from './pipeline.js';
import { loadManifests } from './sources/manifests/load-manifests.js';

const require = createRequire(import.meta.url);
// As a client starts: register() loads the protos the resource types decode with and the HTTP
// filters a client knows (router, fault).
(require('@grpc/grpc-js-xds') as { register(): void }).register();
const grpcTypes = '@grpc/grpc-js-xds/build/src/xds-resource-type';
interface Decoded { name: string; error?: string }
interface ResourceType { decode(context: unknown, resource: { type_url: string; value: Buffer }): Decoded }
const { RouteConfigurationResourceType } = require(`${grpcTypes}/route-config-resource-type.js`) as { RouteConfigurationResourceType: { get(): ResourceType } };
const { ListenerResourceType } = require(`${grpcTypes}/listener-resource-type.js`) as { ListenerResourceType: { get(): ResourceType } };
const { ClusterResourceType } = require(`${grpcTypes}/cluster-resource-type.js`) as { ClusterResourceType: { get(): ResourceType } };

const ROOT = join(import.meta.dirname, '..', '..');
/** What a client's xDS context holds: no certificate providers (Portico's gRPC bootstraps have none). */
const CONTEXT = { bootstrap: { certificateProviders: {} } };

function decode(type: ResourceType, kind: keyof typeof RESOURCE_TYPES, resource: object): Decoded {
  return type.decode(CONTEXT, { type_url: typeUrlOf(kind), value: Buffer.from(encodeMessage(RESOURCE_TYPES[kind], resource)) });
}

function rdsName(listener: Listener): string {
  const hcm = listener.api_listener?.api_listener as { rds?: { route_config_name?: string } } | undefined;
  return hcm?.rds?.route_config_name ?? '';
}

const golden = join(ROOT, 'testdata', 'golden');
const inputs = [...readdirSync(golden, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name), 'seed'];

describe.each(inputs)('the gRPC view of %s', (input) => {
  const dir = input === 'seed' ? join(ROOT, 'examples', 'seed') : join(golden, input);
  const fleets = buildEnvoyConfig(loadManifests([dir]).state, Date.UTC(2026, 10, 29)).fleets;

  it('is accepted by grpc-js-xds: API listeners, their route tables and the clusters they route to', () => {
    for (const fleet of fleets) {
      const view = withGrpcView(fleet, fleet.grpc).resources;
      const apiListeners = view.listeners.filter((l) => l.api_listener);
      const tables = new Set(apiListeners.map(rdsName));
      const clusters = new Set<string>();
      for (const listener of apiListeners) expect(decode(ListenerResourceType.get(), 'listener', listener).error, `Listener ${listener.name ?? ''}`).toBeUndefined();
      for (const table of view.routeConfigurations.filter((rc) => tables.has(rc.name ?? ''))) {
        expect(decode(RouteConfigurationResourceType.get(), 'routeConfiguration', table).error, `RouteConfiguration ${table.name ?? ''}`).toBeUndefined();
        for (const route of table.virtual_hosts?.flatMap((v) => v.routes ?? []) ?? []) {
          if (route.route?.cluster) clusters.add(route.route.cluster);
          for (const weighted of route.route?.weighted_clusters?.clusters ?? []) clusters.add(weighted.name ?? '');
        }
      }
      for (const cluster of view.clusters.filter((c) => clusters.has(c.name ?? ''))) {
        const decoded = decode(ClusterResourceType.get(), 'cluster', cluster);
        // TLS backends need a certificate provider in the client's bootstrap (gRFC A29), which
        // Portico's gRPC bootstraps do not have: known, documented in docs/proxyless-grpc.md.
        if (cluster.transport_socket) expect(decoded.error, `Cluster ${cluster.name ?? ''}`).toMatch(/UpstreamTlsContext/);
        else expect(decoded.error, `Cluster ${cluster.name ?? ''}`).toBeUndefined();
      }
    }
  });
});
