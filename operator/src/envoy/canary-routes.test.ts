import { packAny } from '../../../xds-server/src/protos/any.js';
import { BUFFER_PER_ROUTE_TYPE } from '../../../xds-server/src/protos/type-urls.js';
import { describe, expect, it } from 'vitest';
import type { Route } from '../../../xds-server/src/generated/envoy/config/route/v3/Route.js';
import type { IrCanary, IrRoute } from '../ir/types.js';
import { withCanary } from './canary-routes.js';

const base: Route = {
  name: 'shop/web/rule-0/path-0',
  match: { prefix: '/', headers: [{ name: ':authority', string_match: { safe_regex: { regex: '[^.]+\\.example\\.com' } } }] },
  route: { cluster: 'shop/stable/80', timeout: { seconds: '0' }, retry_policy: {} },
  request_headers_to_add: [{ header: { key: 'x-forwarded-prefix', value: '/' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
  typed_per_filter_config: { 'envoy.filters.http.buffer': packAny(BUFFER_PER_ROUTE_TYPE, { disabled: true }) },
};
const ir = (canary?: Partial<IrCanary>): IrRoute => ({
  match: { kind: 'prefix', path: '/' },
  origin: 'Ingress shop/web',
  name: 'shop/web/rule-0/path-0',
  action: { kind: 'forward', cluster: 'shop/stable/80', ...(canary ? { canary: { cluster: 'shop/canary/80', origin: 'Ingress shop/beta', weight: 0, totalWeight: 100, ...canary } } : {}) },
});

describe('withCanary', () => {
  it('leaves a route without a canary alone', () => {
    expect(withCanary(ir(), base)).toEqual([base]);
  });

  it('header then cookie routes, each a copy of the route with one more header matcher, then the weight', () => {
    const routes = withCanary(ir({ header: { name: 'x-canary' }, cookie: { name: 'c', always: 'A', never: 'N' }, weight: 5 }), base);
    expect(routes.map((r) => [r.name, r.match?.headers?.at(-1)?.name, r.route?.cluster ?? r.route?.weighted_clusters?.clusters?.map((c) => `${c.name}:${c.weight?.value}`).join(' ')])).toEqual([
      ['shop/web/rule-0/path-0/canary-header-always', 'x-canary', 'shop/canary/80'],
      ['shop/web/rule-0/path-0/canary-header-never', 'x-canary', 'shop/stable/80'],
      ['shop/web/rule-0/path-0/canary-cookie-always', 'cookie', 'shop/canary/80'],
      ['shop/web/rule-0/path-0/canary-cookie-never', 'cookie', 'shop/stable/80'],
      ['shop/web/rule-0/path-0', ':authority', 'shop/stable/80:95 shop/canary/80:5'],
    ]);
    for (const route of routes) {
      expect(route.match?.headers?.[0]?.name).toBe(':authority');
      expect(route.match?.prefix).toBe('/');
      expect(route.request_headers_to_add).toBe(base.request_headers_to_add);
      expect(route.typed_per_filter_config).toBe(base.typed_per_filter_config);
      expect(route.route).toMatchObject({ timeout: { seconds: '0' }, retry_policy: {} });
    }
    expect(routes.at(-1)?.route).not.toHaveProperty('cluster');
  });

  it('weight 0: the last route keeps its plain cluster; a value or a pattern replaces always/never', () => {
    const value = withCanary(ir({ header: { name: 'x-v', value: 'v2' } }), base);
    expect(value.map((r) => r.match?.headers?.at(-1)?.string_match)).toEqual([{ exact: 'v2' }, base.match?.headers?.[0]?.string_match]);
    expect(value.at(-1)).toEqual(base);
    const pattern = withCanary(ir({ header: { name: 'x-v', pattern: '.*(?:v2).*' } }), base);
    expect(pattern[0]?.match?.headers?.at(-1)?.string_match).toEqual({ safe_regex: { regex: '.*(?:v2).*' } });
    expect(pattern).toHaveLength(2);
  });
});
