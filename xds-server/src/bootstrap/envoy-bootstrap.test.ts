import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from '../protos/envoy-protos.js';
import { fromProto3Json, toProto3Json } from '../protos/proto-json.js';
import { validateMessage } from '../protos/validate.js';
import { envoyBootstrap, XDS_CLUSTER } from './envoy-bootstrap.js';
import { SECRET_TYPE, XDS_CLIENT_TLS_DEFAULTS, clientCertificateSds, trustedCaSds } from './xds-tls.js';
import { grpcBootstrap } from './grpc-bootstrap.js';
import { parseXdsAddress } from './xds-address.js';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';

describe('Envoy bootstrap', () => {
  const bootstrap = envoyBootstrap({ fleet: 'nginx', xds: parseXdsAddress('portico.portico-system.svc:18000'), nodeId: 'envoy-0', tls: XDS_CLIENT_TLS_DEFAULTS });

  it('is a valid envoy.config.bootstrap.v3.Bootstrap, every field known to the protos', () => {
    expect(validateMessage(BOOTSTRAP, bootstrap)).toEqual([]);
    // fromObject drops unknown fields silently; a lossless round trip proves there were none.
    const json = toProto3Json(BOOTSTRAP, bootstrap);
    const decoded = decodeMessage(BOOTSTRAP, encodeMessage(BOOTSTRAP, fromProto3Json(BOOTSTRAP, json)));
    expect(toProto3Json(BOOTSTRAP, decoded)).toEqual(json);
  });

  it('takes everything over ADS from the fleet named by node.cluster, with the admin on localhost', () => {
    expect(bootstrap.node).toEqual({ id: 'envoy-0', cluster: 'nginx' });
    expect(bootstrap.dynamic_resources).toMatchObject({
      ads_config: { api_type: 'DELTA_GRPC', transport_api_version: 'V3', grpc_services: [{ envoy_grpc: { cluster_name: XDS_CLUSTER } }] },
      lds_config: { ads: {}, resource_api_version: 'V3' },
      cds_config: { ads: {}, resource_api_version: 'V3' },
    });
    expect(bootstrap.admin?.address?.socket_address?.address).toBe('127.0.0.1');
    expect(bootstrap.static_resources?.clusters?.[0]?.type).toBe('STRICT_DNS');
  });

  it('limits heap and downstream connections through the overload manager', () => {
    const json = JSON.stringify(toProto3Json(BOOTSTRAP, bootstrap));
    expect(json).toContain('"max_heap_size_bytes":"1073741824"');
    expect(json).toContain('"max_active_downstream_connections":"50000"');
    expect(bootstrap.overload_manager?.actions?.map((a) => a.name)).toContain('envoy.overload_actions.stop_accepting_requests');
  });

  it('speaks Delta ADS by default and SotW on request', () => {
    const sotw = envoyBootstrap({ fleet: 'f', xds: parseXdsAddress('10.0.0.1:18000'), nodeId: 'n', xdsProtocol: 'sotw', tls: false });
    expect(sotw.dynamic_resources?.ads_config?.api_type).toBe('GRPC');
    const delta = envoyBootstrap({ fleet: 'f', xds: parseXdsAddress('10.0.0.1:18000'), nodeId: 'n', xdsProtocol: 'delta', tls: false });
    expect(delta.dynamic_resources?.ads_config?.api_type).toBe('DELTA_GRPC');
    expect(validateMessage(BOOTSTRAP, sotw)).toEqual([]);
  });

  it('uses a STATIC cluster for an IP address', () => {
    const ip = envoyBootstrap({ fleet: 'f', xds: parseXdsAddress('10.0.0.1:18000'), nodeId: 'n', tls: false });
    expect(ip.static_resources?.clusters?.[0]?.type).toBe('STATIC');
  });
});

describe('Envoy bootstrap: the xDS channel', () => {
  const xds = parseXdsAddress('portico.portico-system.svc:18000');
  const tlsBootstrap = envoyBootstrap({ fleet: 'nginx', xds, nodeId: 'envoy-0', tls: XDS_CLIENT_TLS_DEFAULTS });

  it('is mutual TLS by default: a client certificate and the CA from SDS files, ALPN h2, SNI and the server name checked', () => {
    const socket = tlsBootstrap.static_resources?.clusters?.[0]?.transport_socket as unknown as Record<string, unknown>;
    expect(socket).toMatchObject({
      name: 'envoy.transport_sockets.tls',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext',
        sni: 'portico.portico-system.svc',
        common_tls_context: {
          alpn_protocols: ['h2'],
          tls_certificate_sds_secret_configs: [{ sds_config: { path_config_source: { path: '/etc/envoy/xds-client-certificate.yaml' } } }],
          validation_context_sds_secret_config: { sds_config: { path_config_source: { path: '/etc/envoy/xds-trusted-ca.yaml' } } },
        },
      },
    });
    expect(validateMessage(BOOTSTRAP, tlsBootstrap)).toEqual([]);
  });

  it('writes SDS files that read back strictly as Secrets naming the mounted files, with the folder watched', () => {
    for (const file of [clientCertificateSds(XDS_CLIENT_TLS_DEFAULTS), trustedCaSds(xds, XDS_CLIENT_TLS_DEFAULTS)]) {
      for (const resource of file.resources) {
        expect(resource['@type']).toBe(SECRET_TYPE);
        const secret = Object.fromEntries(Object.entries(resource).filter(([key]) => key !== '@type'));
        const message = fromProto3Json('envoy.extensions.transport_sockets.tls.v3.Secret', secret);
        expect(validateMessage('envoy.extensions.transport_sockets.tls.v3.Secret', message)).toEqual([]);
      }
    }
    expect(JSON.stringify(clientCertificateSds(XDS_CLIENT_TLS_DEFAULTS))).toContain('"watched_directory":{"path":"/etc/portico/xds-tls"}');
    expect(trustedCaSds(parseXdsAddress('10.0.0.1:18000'), XDS_CLIENT_TLS_DEFAULTS).resources[0]).toMatchObject({
      validation_context: { match_typed_subject_alt_names: [{ san_type: 'IP_ADDRESS', matcher: { exact: '10.0.0.1' } }] },
    });
  });

  it('is plain text only when asked', () => {
    const plain = envoyBootstrap({ fleet: 'f', xds: parseXdsAddress('127.0.0.1:18000'), nodeId: 'n', tls: false });
    expect(plain.static_resources?.clusters?.[0]?.transport_socket).toBeUndefined();
  });
});

describe('gRPC client bootstrap', () => {
  it('names the server, the fleet and a locality (grpc-js-xds insists on one)', () => {
    expect(grpcBootstrap({ fleet: 'nginx', xds: parseXdsAddress('[::1]:18000'), nodeId: 'g', anyHost: true, tls: false })).toEqual({
      xds_servers: [{ server_uri: '[::1]:18000', channel_creds: [{ type: 'insecure' }], server_features: [] }],
      node: { id: 'g', cluster: 'nginx', locality: {}, metadata: {} },
      client_default_listener_resource_name_template: 'portico:any-host',
    });
  });
});

describe('parseXdsAddress', () => {
  it('accepts IPv4, [IPv6] and DNS names, and explains what it wants otherwise', () => {
    expect(parseXdsAddress('127.0.0.1:18000')).toEqual({ host: '127.0.0.1', port: 18000, isIp: true });
    expect(parseXdsAddress('[::1]:1')).toEqual({ host: '::1', port: 1, isIp: true });
    expect(parseXdsAddress('portico:18000').isIp).toBe(false);
    expect(() => parseXdsAddress('portico')).toThrow(/HOST:PORT/);
    expect(() => parseXdsAddress('portico:99999')).toThrow(/HOST:PORT/);
  });
});
