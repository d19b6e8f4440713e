// The state-of-the-world view of a fleet: the operator's resources plus the gRPC view it built for
// proxyless clients (GrpcView: API listeners and their route tables). The server builds nothing
// here; it adds what it is given, sorted by name like the rest of the fleet (from the fleet's
// previous view when given: see sorted-by-name.ts).
import type { FleetView, GrpcView, Listener, RouteConfiguration } from '../resources.js';
import { originsOverlaid } from '../origins-when-read.js';
import { sortedByName } from '../util/sorted-by-name.js';
import type { SortedByName } from '../util/sorted-by-name.js';

export function withGrpcView(view: FleetView, grpc: GrpcView | undefined, previous?: FleetView): FleetView {
  if (!grpc || grpc.resources.listeners.length === 0) return view;
  const { resources, origins } = view;
  const before = previous && LISTS.get(previous);
  const listeners = sortedByName([resources.listeners, grpc.resources.listeners], same, before?.listeners);
  const routeConfigurations = sortedByName([resources.routeConfigurations, grpc.resources.routeConfigurations], same, before?.routeConfigurations);
  const sotw: FleetView = {
    resources: { ...resources, listeners: listeners.sorted as Listener[], routeConfigurations: routeConfigurations.sorted as RouteConfiguration[] },
    // Merged when first read: one record per API listener and host table of a large fleet.
    origins: originsOverlaid(origins, {
      listener: () => ({ ...(origins.listener ?? {}), ...(grpc.origins.listener ?? {}) }),
      routeConfiguration: () => ({ ...(origins.routeConfiguration ?? {}), ...(grpc.origins.routeConfiguration ?? {}) }),
    }),
  };
  LISTS.set(sotw, { listeners, routeConfigurations });
  return sotw;
}

const same = <T>(item: T): T => item;

/** How a view's merged lists were made, for the next publish of the fleet (`previous`). */
const LISTS = new WeakMap<FleetView, { listeners: SortedByName<Listener, Listener>; routeConfigurations: SortedByName<RouteConfiguration, RouteConfiguration> }>();
