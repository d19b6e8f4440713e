// The state-of-the-world view of a fleet: the operator's resources plus the gRPC view it built for
// proxyless clients (GrpcView: API listeners and their route tables). The server builds nothing
// here; it adds what it is given, sorted by name like the rest of the fleet.
import type { FleetView, GrpcView } from '../resources.js';
import { originsOverlaid } from '../origins-when-read.js';
import { compareStrings } from '../util/compare-strings.js';

export function withGrpcView(view: FleetView, grpc: GrpcView | undefined): FleetView {
  if (!grpc || grpc.resources.listeners.length === 0) return view;
  const { resources, origins } = view;
  const byName = (a: { name?: string }, b: { name?: string }): number => compareStrings(a.name ?? '', b.name ?? '');
  return {
    resources: {
      ...resources,
      listeners: [...resources.listeners, ...grpc.resources.listeners].sort(byName),
      routeConfigurations: [...resources.routeConfigurations, ...grpc.resources.routeConfigurations].sort(byName),
    },
    // Merged when first read: one record per API listener and host table of a large fleet.
    origins: originsOverlaid(origins, {
      listener: () => ({ ...(origins.listener ?? {}), ...(grpc.origins.listener ?? {}) }),
      routeConfiguration: () => ({ ...(origins.routeConfiguration ?? {}), ...(grpc.origins.routeConfiguration ?? {}) }),
    }),
  };
}
