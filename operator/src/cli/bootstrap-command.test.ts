import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envoyBootstrap, parseXdsAddress } from '../../../xds-server/src/index.js';
import { encodeMessage } from '../../../xds-server/src/protos/envoy-protos.js';
import { fromProto3Json } from '../../../xds-server/src/protos/proto-json.js';
import { validateMessage } from '../../../xds-server/src/protos/validate.js';
import { envoyBootstrapYaml } from './bootstrap-command.js';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';

describe('portico bootstrap output', () => {
  it('is YAML that reads back, strictly, as a valid Envoy Bootstrap', () => {
    const text = envoyBootstrapYaml(envoyBootstrap({ fleet: 'nginx', xds: parseXdsAddress('127.0.0.1:18000'), nodeId: '$(POD_NAME)' }), true);
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
