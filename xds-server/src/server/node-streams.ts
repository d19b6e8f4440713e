// How many streams each node id has open, per peer host. Envoy opens one ADS stream per node (two
// for a moment while it reconnects over a connection that has not yet timed out), a gRPC client one
// or a few per process; a node far over that from one host is a client opening streams in a loop,
// and every stream costs memory. Beyond the limit, new streams of that node from that host are
// refused. Counting per host keeps fleets whose pods wrongly share one node.id (a bootstrap file
// with a literal id) working: each pod is its own host.

export const DEFAULT_MAX_STREAMS_PER_NODE = 256;

export class NodeStreams {
  private readonly perHost = new Map<string, number>();
  private readonly perNode = new Map<string, number>();

  constructor(readonly limit = DEFAULT_MAX_STREAMS_PER_NODE) {}

  /** Counts one more stream of `nodeId` from `host`, unless that pair already has `limit` open: then false, and nothing counted. */
  admit(nodeId: string, host: string): boolean {
    const key = `${host}\n${nodeId}`;
    const count = this.perHost.get(key) ?? 0;
    if (count >= this.limit) return false;
    this.perHost.set(key, count + 1);
    this.perNode.set(nodeId, (this.perNode.get(nodeId) ?? 0) + 1);
    return true;
  }

  /** One admitted stream ended; true when it was the node's last, from any host. */
  release(nodeId: string, host: string): boolean {
    const key = `${host}\n${nodeId}`;
    decrement(this.perHost, key);
    return decrement(this.perNode, nodeId);
  }

  count(nodeId: string): number {
    return this.perNode.get(nodeId) ?? 0;
  }
}

/** True when the count reached zero (and the entry is gone). */
function decrement(counts: Map<string, number>, key: string): boolean {
  const count = (counts.get(key) ?? 0) - 1;
  if (count > 0) {
    counts.set(key, count);
    return false;
  }
  counts.delete(key);
  return true;
}
