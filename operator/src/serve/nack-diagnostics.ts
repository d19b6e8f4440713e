// Envoy's (or a gRPC client's) rejections, as diagnostics on the objects that produced the
// rejected resources, so they reach users as Events like any other problem. A NACK counts while it
// is unresolved and its client is connected: the node accepting that type again clears it, and so
// does the client going away (the xDS server says so, onNacksForgotten, when the node's last
// stream closes). Replicas thus report the clients connected to them, never a client that left,
// and agree once clients have moved.
import type { NackEvent, NackResolvedEvent } from '../../../xds-server/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

export class NackDiagnostics {
  /** node → type URL → the unresolved NACK. */
  private readonly open = new Map<string, Map<string, NackEvent>>();

  record(event: NackEvent): void {
    const byType = this.open.get(event.nodeId) ?? new Map<string, NackEvent>();
    byType.set(event.typeUrl, event);
    this.open.set(event.nodeId, byType);
  }

  resolve(event: NackResolvedEvent): void {
    this.open.get(event.nodeId)?.delete(event.typeUrl);
    if (this.open.get(event.nodeId)?.size === 0) this.open.delete(event.nodeId);
  }

  /** True while some NACK counts. */
  get size(): number {
    return this.open.size;
  }

  /** The xDS server no longer holds the node's NACKs (its client left): true when any went. */
  forget(nodeId: string): boolean {
    return this.open.delete(nodeId);
  }

  /** One diagnostic per origin and rejection reason, however many nodes reported it. */
  diagnostics(): Diagnostic[] {
    const byKey = new Map<string, Diagnostic>();
    for (const byType of this.open.values()) {
      for (const nack of byType.values()) {
        // The same text for Envoy and gRPC clients, so reports from many nodes collapse into one.
        const message = `a client of fleet ${nack.fleet} rejected ${nack.kind} ${nack.rejectedResources.join(', ')}: ${nack.errorMessage}`;
        for (const origin of nack.origins) byKey.set(`${origin}\0${message}`, { object: origin, severity: 'error', message });
      }
    }
    return [...byKey.values()];
  }
}
