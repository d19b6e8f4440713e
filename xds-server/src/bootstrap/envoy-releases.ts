// The Envoy release Portico ships and what older releases reject. No Envoy binary runs where
// Portico is built, so every figure here comes from Envoy's changelogs and source, recorded with
// its evidence in docs/envoy-compatibility.md (a test keeps the install manifests on SHIPPED_ENVOY).

/** The image the kustomize base, the Helm chart and the docs install. */
export const SHIPPED_ENVOY = { image: 'envoyproxy/envoy:v1.40.0', minor: '1.40' } as const;

/**
 * The first Envoy minor release that accepts `RouteConfiguration.vhds.config_source: {ads: {}}`
 * (VHDS over Delta ADS). Earlier releases reject the whole RouteConfiguration
 * ("vhds: only 'DELTA_GRPC' is supported as an api_type").
 */
export const VHDS_OVER_ADS_SINCE = '1.39';

const MINOR_RELEASE = /^1\.(0|[1-9][0-9]{0,2})$/;

/** "1.37" and the like: how IngressClassParameters declare a fleet's Envoy. */
export function isEnvoyMinorRelease(text: string): boolean {
  return MINOR_RELEASE.test(text);
}

/** Negative when `a` is older than `b`; both must pass isEnvoyMinorRelease. */
export function compareEnvoyMinor(a: string, b: string): number {
  const minor = (release: string): number => Number(release.split('.')[1]);
  return minor(a) - minor(b);
}
