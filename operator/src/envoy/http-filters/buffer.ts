// Request body limits (proxy-body-size, the class's requestLimits.maxBodySize): the buffer filter
// holds the whole body before forwarding, as nginx does, and answers 413 past the limit.
import type { Buffer as BufferConfig, BufferPerRoute } from '../../../../xds-server/src/index.js';
import { BUFFER_PER_ROUTE_TYPE, BUFFER_TYPE } from '../../../../xds-server/src/index.js';
import type { HttpFilterFeature } from './http-filter.js';

/** What a disabled listener-level filter carries: Buffer requires a positive limit even unused. */
const UNUSED_LIMIT_BYTES = 1024 * 1024;

export const bufferFilter: HttpFilterFeature = {
  name: 'envoy.filters.http.buffer',
  routeConfig(route) {
    const limit = route.policy?.maxRequestBodyBytes;
    if (limit === undefined) return undefined;
    const perRoute: BufferPerRoute = limit === 0 ? { disabled: true } : { buffer: { max_request_bytes: { value: limit } } };
    return { '@type': BUFFER_PER_ROUTE_TYPE, ...perRoute };
  },
  listenerFilter(fleet, usedByRoutes) {
    const classLimit = fleet.http.maxRequestBodyBytes;
    if (classLimit === 0 && !usedByRoutes) return undefined;
    const config: BufferConfig = { max_request_bytes: { value: classLimit === 0 ? UNUSED_LIMIT_BYTES : classLimit } };
    return { name: this.name, typed_config: { '@type': BUFFER_TYPE, ...config }, ...(classLimit === 0 ? { disabled: true } : {}) };
  },
};
