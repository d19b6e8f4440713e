// Origins are read only when something goes wrong (a NACK, a refused resource) or someone looks
// (/debug, the config dump). At tens of thousands of virtual hosts, building their records on every
// publish cost more than the change being published, so a kind's record may be given as how to
// build it: built on first read, once, and then an ordinary property.
import type { ResourceKind } from './protos/envoy-protos.js';
import type { ResourceOrigins } from './resources.js';

export type OriginsRecipe = { [Kind in ResourceKind]?: () => Record<string, string[]> | undefined };

/**
 * Origins whose records are built when first read. Listing the kinds (Object.keys) reads nothing;
 * reading a kind, or spreading the whole, builds it.
 */
export function originsWhenRead(recipe: OriginsRecipe): ResourceOrigins {
  const origins: ResourceOrigins = {};
  for (const kind of Object.keys(recipe) as ResourceKind[]) {
    const build = recipe[kind] as () => Record<string, string[]> | undefined;
    Object.defineProperty(origins, kind, {
      enumerable: true,
      configurable: true,
      get(): Record<string, string[]> | undefined {
        const value = build();
        Object.defineProperty(origins, kind, { value, enumerable: true, writable: true, configurable: true });
        return value;
      },
    });
  }
  return origins;
}

/** `base` with some kinds' records given by `overrides`; nothing of either is read before it is needed. */
export function originsOverlaid(base: ResourceOrigins, overrides: OriginsRecipe): ResourceOrigins {
  const recipe: OriginsRecipe = {};
  for (const kind of Object.keys(base) as ResourceKind[]) recipe[kind] = () => base[kind];
  return originsWhenRead({ ...recipe, ...overrides });
}
