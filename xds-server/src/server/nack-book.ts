// The latest unresolved NACK per node and type, as server.nacks() and /debug/xds show them.
// Bounded three ways: one entry per type per node (a newer NACK replaces the older), a node's
// entries go when its last stream closes, and at most `maxNodes` nodes are kept (the node that
// NACKed least recently makes room). Each entry's error message is already bounded by the stream,
// and its name lists are cut to KEPT_NAMES.
import type { NackEvent } from '../protocol/nack.js';
import { compareStrings } from '../util/compare-strings.js';

export const DEFAULT_MAX_NACK_NODES = 10_000;
/** Names kept per list of a kept NACK: a whole fleet NACKing a 20,000-resource response would otherwise keep 20,000 × 10,000. */
export const KEPT_NAMES = 100;

function kept(event: NackEvent): NackEvent {
  return { ...event, responseResources: cut(event.responseResources), rejectedResources: cut(event.rejectedResources), origins: cut(event.origins) };
}

/** The first KEPT_NAMES entries, and one saying how many more there were. */
function cut(names: readonly string[]): string[] {
  return names.length <= KEPT_NAMES ? [...names] : [...names.slice(0, KEPT_NAMES), `… and ${names.length - KEPT_NAMES} more`];
}

export class NackBook {
  /** Map order is recency order: the first node is the one that NACKed least recently. */
  private readonly byNode = new Map<string, Map<string, NackEvent>>();

  constructor(private readonly maxNodes = DEFAULT_MAX_NACK_NODES) {}

  /** Returns the nodes forgotten to make room (their NACKs are no longer held). */
  record(event: NackEvent): string[] {
    const byType = this.byNode.get(event.nodeId) ?? new Map<string, NackEvent>();
    this.byNode.delete(event.nodeId);
    byType.set(event.typeUrl, kept(event));
    this.byNode.set(event.nodeId, byType);
    const evicted: string[] = [];
    while (this.byNode.size > this.maxNodes) {
      const oldest = this.byNode.keys().next().value ?? '';
      this.byNode.delete(oldest);
      evicted.push(oldest);
    }
    return evicted;
  }

  /** The node accepted that type again. */
  resolve(nodeId: string, typeUrl: string): void {
    const byType = this.byNode.get(nodeId);
    byType?.delete(typeUrl);
  }

  /** The node's last stream closed. True when it had NACKs held. */
  forget(nodeId: string): boolean {
    return this.byNode.delete(nodeId);
  }

  get nodeCount(): number {
    return this.byNode.size;
  }

  /** Unresolved NACKs by node id (sorted), latest per type. */
  all(): Record<string, NackEvent[]> {
    const result: Record<string, NackEvent[]> = {};
    for (const node of [...this.byNode.keys()].sort(compareStrings)) result[node] = [...(this.byNode.get(node)?.values() ?? [])];
    return result;
  }
}
