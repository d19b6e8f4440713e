// The Listener a proxyless gRPC client resolves `xds:///NAME` to: an api_listener whose
// HttpConnectionManager names, over ADS, the RouteConfiguration to route by.
import type { HttpConnectionManager, Listener } from '../../../../xds-server/src/index.js';
import { HTTP_CONNECTION_MANAGER_TYPE, ROUTER_TYPE } from '../../../../xds-server/src/index.js';

export function apiListener(name: string, routeConfigName: string): Listener {
  // One per host of a large fleet, and the same on every publish: the very same object, so the
  // cache recognises it without comparing.
  const key = `${name}\n${routeConfigName}`;
  const remembered = LISTENERS.get(key)?.deref();
  if (remembered) return remembered;
  const listener = buildApiListener(name, routeConfigName);
  LISTENERS.set(key, new WeakRef(listener));
  forgotten.register(listener, key);
  return listener;
}

const LISTENERS = new Map<string, WeakRef<Listener>>();
const forgotten = new FinalizationRegistry<string>((key) => {
  if (LISTENERS.get(key)?.deref() === undefined) LISTENERS.delete(key);
});

function buildApiListener(name: string, routeConfigName: string): Listener {
  const hcm: HttpConnectionManager = {
    // gRPC ignores it, but the proto requires one and the server serves nothing that breaks the rules.
    stat_prefix: name,
    rds: { route_config_name: routeConfigName, config_source: { ads: {} } },
    http_filters: [{ name: 'router', typed_config: { '@type': ROUTER_TYPE } }],
  };
  return { name, api_listener: { api_listener: { '@type': HTTP_CONNECTION_MANAGER_TYPE, ...hcm } } };
}
