import { describe, expect, it } from 'vitest';
import { connectionHelp } from './connection-help.js';

const fleets = [{ fleet: 'nginx', ingressClass: 'nginx' }];

describe('the serve banner', () => {
  it('tells an mTLS user to write the bootstrap with its SDS files and where the client certificate is', () => {
    const text = connectionHelp({ source: 'the cluster', xdsAddress: '127.0.0.1:18000', healthAddress: '127.0.0.1:9090', fleets, summaries: [], clientSecretsNamespace: 'portico-system' });
    expect(text).toContain('mutual TLS, a client certificate per fleet');
    expect(text).toContain('portico bootstrap --ingress-class nginx --xds-address 127.0.0.1:18000 --node-id nginx-local-1 --output-dir envoy --tls-dir DIR && envoy -c envoy/envoy.yaml');
    expect(text).toContain('Secret portico-system/portico-xds-client-nginx');
    expect(text).not.toContain('> envoy.yaml');
  });

  it('gives plain-text users a one-file bootstrap and a gRPC bootstrap', () => {
    const text = connectionHelp({ source: 'manifests', xdsAddress: '127.0.0.1:18000', healthAddress: '127.0.0.1:9090', fleets, summaries: [], plaintext: true });
    expect(text).toContain('plain text, no client authentication');
    expect(text).toContain('portico bootstrap --ingress-class nginx --xds-address 127.0.0.1:18000 --node-id nginx-local-1 --plaintext > envoy.yaml && envoy -c envoy.yaml');
    expect(text).toContain('GRPC_XDS_BOOTSTRAP_CONFIG');
  });

  it('never prints a placeholder only Kubernetes expands as the node id, and names its own controller and Secrets', () => {
    const text = connectionHelp({ source: 'the cluster', xdsAddress: '127.0.0.1:18000', healthAddress: '127.0.0.1:9090', fleets, summaries: [], clientSecretsNamespace: 'ns', clientSecretPrefix: 'portico2-xds-client-' });
    expect(text).not.toMatch(/\$\(|POD_NAME/);
    expect(text).toContain('Secret ns/portico2-xds-client-nginx');
    const empty = connectionHelp({ source: 'the cluster', xdsAddress: '127.0.0.1:18000', healthAddress: '127.0.0.1:9090', fleets: [], summaries: [], controllerName: 'portico.dev/two' });
    expect(empty).toContain('no IngressClass with controller portico.dev/two');
  });
});
