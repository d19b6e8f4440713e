// How many streams each node id has open. Envoy opens one ADS stream per node (two for a moment
// while it reconnects over a connection that has not yet timed out), a gRPC client one per
// process; a node far over that is a client opening streams in a loop, and every stream costs
// memory. Beyond the limit, new streams of that node are refused.

export const DEFAULT_MAX_STREAMS_PER_NODE = 256;

export class NodeStreams {
  private readonly counts = new Map<string, number>();

  constructor(readonly limit = DEFAULT_MAX_STREAMS_PER_NODE) {}

  /** Counts one more stream of `nodeId`, unless it already has `limit` open: then false, and nothing counted. */
  admit(nodeId: string): boolean {
    const count = this.counts.get(nodeId) ?? 0;
    if (count >= this.limit) return false;
    this.counts.set(nodeId, count + 1);
    return true;
  }

  /** One admitted stream of `nodeId` ended; true when it was the node's last. */
  release(nodeId: string): boolean {
    const count = (this.counts.get(nodeId) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(nodeId, count);
      return false;
    }
    this.counts.delete(nodeId);
    return true;
  }

  count(nodeId: string): number {
    return this.counts.get(nodeId) ?? 0;
  }
}
