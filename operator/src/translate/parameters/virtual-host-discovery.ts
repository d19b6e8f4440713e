// Whether a class's Delta clients get route tables split per host (VHDS). Envoy releases before
// VHDS_OVER_ADS_SINCE reject a RouteConfiguration whose VHDS config source is ADS, and with it the
// listener's whole route table, so the split is served only when the platform team both asks for
// it and declares a fleet Envoy that accepts it. Otherwise the class keeps whole route tables
// over RDS, which every Envoy accepts: a refusal costs bytes, never traffic.
import { compareEnvoyMinor, VHDS_OVER_ADS_SINCE } from '../../../../xds-server/src/index.js';
import type { EnvoySpec } from './parameters-spec.js';

export type VirtualHostDiscovery =
  | { state: 'off' }
  | { state: 'on'; message: string }
  | { state: 'refused'; reason: 'EnvoyVersionNotDeclared' | 'EnvoyVersionTooOld'; message: string };

export function virtualHostDiscoveryFor(envoy: EnvoySpec): VirtualHostDiscovery {
  if (!envoy.virtualHostDiscovery) return { state: 'off' };
  const served = 'Delta clients get whole route tables over RDS instead';
  if (envoy.version === undefined) {
    return {
      state: 'refused',
      reason: 'EnvoyVersionNotDeclared',
      message: `spec.envoy.virtualHostDiscovery needs spec.envoy.version (the oldest Envoy release in the fleet) to be ${VHDS_OVER_ADS_SINCE} or newer: older Envoys reject the whole route table; ${served}`,
    };
  }
  if (compareEnvoyMinor(envoy.version, VHDS_OVER_ADS_SINCE) < 0) {
    return {
      state: 'refused',
      reason: 'EnvoyVersionTooOld',
      message: `spec.envoy.virtualHostDiscovery: Envoy ${envoy.version} rejects VHDS over ADS (it needs ${VHDS_OVER_ADS_SINCE} or newer) and with it the whole route table; ${served}`,
    };
  }
  return { state: 'on', message: `Delta clients get route tables split per host (VHDS); the fleet declares Envoy ${envoy.version}` };
}
