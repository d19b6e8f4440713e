import { describe, expect, it } from 'vitest';
import { VHDS_OVER_ADS_SINCE } from '../../../../xds-server/src/bootstrap/envoy-releases.js';
import { virtualHostDiscoveryFor } from './virtual-host-discovery.js';

describe('virtualHostDiscoveryFor', () => {
  it('is off unless asked for, whatever the declared Envoy', () => {
    expect(virtualHostDiscoveryFor({ virtualHostDiscovery: false })).toEqual({ state: 'off' });
    expect(virtualHostDiscoveryFor({ version: '1.40', virtualHostDiscovery: false })).toEqual({ state: 'off' });
  });

  it('is refused when the fleet declares no Envoy release, or one that rejects VHDS over ADS', () => {
    expect(virtualHostDiscoveryFor({ virtualHostDiscovery: true })).toMatchObject({ state: 'refused', reason: 'EnvoyVersionNotDeclared', message: expect.stringContaining('spec.envoy.version') as unknown });
    expect(virtualHostDiscoveryFor({ version: '1.38', virtualHostDiscovery: true })).toMatchObject({
      state: 'refused',
      reason: 'EnvoyVersionTooOld',
      message: expect.stringContaining(`Envoy 1.38 rejects VHDS over ADS (it needs ${VHDS_OVER_ADS_SINCE} or newer)`) as unknown,
    });
    // Minor releases compare as numbers: 1.4 is older than 1.39.
    expect(virtualHostDiscoveryFor({ version: '1.4', virtualHostDiscovery: true }).state).toBe('refused');
  });

  it('is on from the first release that accepts VHDS over ADS', () => {
    expect(virtualHostDiscoveryFor({ version: VHDS_OVER_ADS_SINCE, virtualHostDiscovery: true }).state).toBe('on');
    expect(virtualHostDiscoveryFor({ version: '1.100', virtualHostDiscovery: true }).state).toBe('on');
  });
});
