// Never fail open: requests for an Ingress whose access control Portico does not honour never
// reach its backend (testdata/golden/unhonoured-access-control, through the route simulator).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildEnvoyConfig } from '../pipeline.js';
import { loadManifests } from '../sources/manifests/load-manifests.js';
import { simulateRequest } from '../test-support/route-simulator.js';
import { routeConfigurationOf } from '../test-support/translate-yaml.js';
import { isAccessControl, isSnippet, unhonouredAccessControl } from './annotations/access-control.js';

const CASE = join(import.meta.dirname, '..', '..', '..', 'testdata', 'golden', 'unhonoured-access-control');

describe('access-control annotations Portico does not honour', () => {
  const config = buildEnvoyConfig(loadManifests([CASE]).state);

  it('close the Ingress by default: 503 from Envoy for every path and the app-root, nothing forwarded', () => {
    const table = routeConfigurationOf(config, 'nginx');
    for (const path of ['/', '/dashboard', '/api/users?id=1']) {
      expect(simulateRequest(table, 'admin.example.com', path), path).toMatchObject({ status: 'direct', code: 503 });
    }
    expect(simulateRequest(table, 'shop.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'apps/web/80' });
    expect(simulateRequest(table, 'snippet.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'apps/web/80' });
  });

  it('are served with a warning where the class relaxes it', () => {
    expect(simulateRequest(routeConfigurationOf(config, 'relaxed'), 'legacy.example.com', '/')).toMatchObject({ status: 'routed', cluster: 'apps/web/80' });
    expect(config.diagnostics).toContainEqual(expect.objectContaining({ object: 'Ingress apps/legacy', severity: 'warning', message: expect.stringMatching(/served WITHOUT them/) }));
  });

  it('are every auth-* annotation, allow and deny lists, rate limits and the WAF; snippets are not (they only warn)', () => {
    const prefix = 'nginx.ingress.kubernetes.io/';
    for (const name of ['auth-url', 'auth-type', 'auth-tls-secret', 'auth-tls-verify-client', 'whitelist-source-range', 'denylist-source-range', 'limit-rps', 'enable-modsecurity', 'satisfy']) {
      expect(isAccessControl(prefix + name), name).toBe(true);
    }
    for (const name of ['auth-snippet', 'configuration-snippet', 'proxy-body-size', 'rewrite-target']) expect(isAccessControl(prefix + name), name).toBe(false);
    expect(isSnippet(`${prefix}server-snippet`)).toBe(true);
    expect(unhonouredAccessControl({ [`${prefix}limit-connections`]: '10', [`${prefix}auth-type`]: 'basic', [`${prefix}limit-rpm`]: '10', [`${prefix}auth-url`]: 'x', 'example.com/auth-type': 'y' })).toEqual([`${prefix}auth-type`, `${prefix}limit-connections`]);
  });
});
