// What changed since the last translation, as the watch saw it: what ChangeRouter hands the next
// translation (IncrementalTranslator re-translates only what these touch).
export interface ChangeScope {
  /** Something other than Ingresses and endpoints changed (or nobody knows what): translate everything. */
  full: boolean;
  /** Ingresses (`namespace/name`) created, changed or deleted. */
  ingresses: ReadonlySet<string>;
  /** Services (`namespace/name`) whose EndpointSlices changed. */
  services: ReadonlySet<string>;
}

export const EVERYTHING: ChangeScope = { full: true, ingresses: new Set(), services: new Set() };
