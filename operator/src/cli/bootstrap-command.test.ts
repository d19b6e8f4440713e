import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { XDS_CLIENT_TLS_DEFAULTS, envoyBootstrap, parseXdsAddress } from '../../../xds-server/src/index.js';
import { encodeMessage } from '../../../xds-server/src/protos/envoy-protos.js';
import { fromProto3Json } from '../../../xds-server/src/protos/proto-json.js';
import { validateMessage } from '../../../xds-server/src/protos/validate.js';
import { envoyBootstrapYaml, parseXdsProtocol } from './bootstrap-command.js';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';

describe('portico bootstrap output', () => {
  it('is YAML that reads back, strictly, as a valid Envoy Bootstrap', () => {
    const text = envoyBootstrapYaml(envoyBootstrap({ fleet: 'nginx', xds: parseXdsAddress('127.0.0.1:18000'), nodeId: '$(POD_NAME)', tls: XDS_CLIENT_TLS_DEFAULTS }), true);
    expect(text).toMatch(/^# Envoy bootstrap for fleet "nginx"/);
    expect(text).toContain('--service-node $(POD_NAME)');
    // Strict parsing rejects unknown fields, as Envoy does; encoding proves every value fits its type.
    const message = fromProto3Json(BOOTSTRAP, parse(text));
    expect(encodeMessage(BOOTSTRAP, message).length).toBeGreaterThan(0);
    expect(validateMessage(BOOTSTRAP, message)).toEqual([]);
    expect(parse(text)).toMatchObject({
      node: { id: '$(POD_NAME)', cluster: 'nginx' },
      admin: { address: { socket_address: { address: '127.0.0.1', port_value: 9901 } } },
      overload_manager: { refresh_interval: '0.250s' },
    });
  });
});

describe('portico bootstrap --xds-protocol', () => {
  const run = (...args: string[]): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'main.ts'), 'bootstrap', '--ingress-class', 'nginx', '--xds-address', '127.0.0.1:18000', ...args], {
      encoding: 'utf8',
    });

  it('gives Envoy Delta ADS by default and state of the world with sotw; gRPC bootstraps are unaffected', () => {
    const byDefault = parse(run().stdout) as { dynamic_resources: { ads_config: { api_type: string } } };
    expect(byDefault.dynamic_resources.ads_config.api_type).toBe('DELTA_GRPC');
    const sotw = parse(run('--xds-protocol', 'sotw').stdout) as { dynamic_resources: { ads_config: { api_type: string } } };
    expect(sotw.dynamic_resources.ads_config.api_type).toBe('GRPC');
    const grpc = JSON.parse(run('--grpc').stdout) as Record<string, unknown>;
    expect(grpc).toMatchObject({ xds_servers: [{ server_uri: '127.0.0.1:18000' }] });
  }, 20_000);

  it('rejects anything but delta or sotw', () => {
    expect(parseXdsProtocol('sotw')).toBe('sotw');
    expect(() => parseXdsProtocol('incremental')).toThrow(/--xds-protocol must be one of delta, sotw/);
  });
});
