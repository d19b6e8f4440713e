// Envoy's (or a gRPC client's) rejections, as diagnostics on the objects that produced the
// rejected resources, so they reach users as Events like any other problem. A NACK counts while it
// is unresolved: the node accepting that type again clears it.
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
