// EndpointSlices by the Service they belong to (label kubernetes.io/service-name, in the slice's
// namespace), in the order a ClusterState lists them, so endpoints computed from them match a full
// translation's (translate/backends.ts reads a Service's slices in state order: on a duplicate
// address the later slice's zone wins).
import type { V1EndpointSlice } from '../store/cluster-state.js';
import { SERVICE_NAME_LABEL } from '../translate/backends.js';
import { compareStrings } from '../util/compare.js';

/** `namespace/service` of a slice, as translate/backends.ts keys it; none without the label. */
export function serviceOfSlice(slice: V1EndpointSlice | undefined): string | undefined {
  const name = slice?.metadata?.labels?.[SERVICE_NAME_LABEL];
  return name ? `${slice?.metadata?.namespace ?? 'default'}/${name}` : undefined;
}

export class SliceStore {
  private readonly byService = new Map<string, Map<string, V1EndpointSlice>>();

  set(key: string, previous: V1EndpointSlice | undefined, current: V1EndpointSlice | undefined): void {
    const before = serviceOfSlice(previous);
    if (before !== undefined) {
      const slices = this.byService.get(before);
      slices?.delete(key);
      if (slices?.size === 0) this.byService.delete(before);
    }
    const after = serviceOfSlice(current);
    if (after !== undefined && current) {
      const slices = this.byService.get(after) ?? new Map<string, V1EndpointSlice>();
      slices.set(key, current);
      this.byService.set(after, slices);
    }
  }

  /** The Service's slices sorted as ClusterSource.snapshot() sorts them (namespace/name). */
  slicesOf(service: string): V1EndpointSlice[] {
    const slices = this.byService.get(service);
    if (!slices) return [];
    return [...slices.entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, slice]) => slice);
  }
}
