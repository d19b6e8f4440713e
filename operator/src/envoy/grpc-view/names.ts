// What the gRPC view names its resources. The any-host listener's name is the xDS server's
// (ANY_HOST_LISTENER): `portico bootstrap --grpc --any-host` puts it in client bootstraps.
export { ANY_HOST_LISTENER } from '../../../../xds-server/src/index.js';

/** The RouteConfiguration the API listener of one host uses. */
export function hostRouteConfigurationName(host: string): string {
  return `grpc:${host}`;
}

/** The RouteConfiguration of the any-host listener when routes had to be left out of the whole table. */
export const ANY_HOST_ROUTE_CONFIGURATION = 'grpc:*';
