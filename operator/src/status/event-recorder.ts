// Turns diagnostics into Kubernetes Events on the objects they are about, so `kubectl describe
// ingress` shows what is wrong. A problem gets one Warning Event when it appears (its count grows
// if it reappears); when an object's last problem goes away it gets a Normal Event saying so.
// Event names are derived from the object and the message, so a restarted leader bumps the
// existing Event's count instead of creating duplicates.
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { KubeHttpError, requestJson } from '../kube/kube-http.js';
import type { ClusterState } from '../store/cluster-state.js';

export const EVENT_COMPONENT = 'portico-controller';

interface Involved {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

export class EventRecorder {
  /** Object ref → messages already reported and still present. */
  private active = new Map<string, Set<string>>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly log: { warn(message: string, fields?: Record<string, unknown>): void },
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sync(diagnostics: readonly Diagnostic[], state: ClusterState, signal: AbortSignal): Promise<void> {
    const current = new Map<string, Map<string, Diagnostic>>();
    for (const diagnostic of diagnostics) {
      const messages = current.get(diagnostic.object) ?? new Map<string, Diagnostic>();
      messages.set(diagnostic.message, diagnostic);
      current.set(diagnostic.object, messages);
    }
    for (const [object, messages] of current) {
      const involved = involvedObject(object, state);
      if (!involved) continue;
      const reported = this.active.get(object) ?? new Set<string>();
      for (const [message, diagnostic] of messages) {
        if (reported.has(message)) continue;
        const reason = diagnostic.severity === 'error' ? 'ConfigurationError' : 'ConfigurationWarning';
        if (await this.emit(involved, 'Warning', reason, message, signal)) reported.add(message);
      }
      for (const message of [...reported]) if (!messages.has(message)) reported.delete(message);
      this.active.set(object, reported);
    }
    for (const [object, reported] of [...this.active]) {
      if (current.has(object)) continue;
      this.active.delete(object);
      const involved = involvedObject(object, state);
      if (involved && reported.size > 0) await this.emit(involved, 'Normal', 'ConfigurationValid', 'all problems reported earlier are resolved', signal);
    }
  }

  /** True when the Event was written (created, or its count raised). */
  private async emit(involved: Involved, type: 'Warning' | 'Normal', reason: string, message: string, signal: AbortSignal): Promise<boolean> {
    const namespace = involved.namespace ?? 'default';
    const digest = createHash('sha256').update(`${involved.kind}/${namespace}/${involved.name}/${involved.uid ?? ''}/${reason}/${message}`).digest('hex').slice(0, 16);
    const name = `${involved.name}.${digest}`;
    const timestamp = this.now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`;
    try {
      await requestJson(this.kc, 'POST', base, signal, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: involved,
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: EVENT_COMPONENT },
        reportingComponent: EVENT_COMPONENT,
        firstTimestamp: timestamp,
        lastTimestamp: timestamp,
        count: 1,
      });
      return true;
    } catch (error) {
      if (error instanceof KubeHttpError && error.statusCode === 409) return this.bump(`${base}/${encodeURIComponent(name)}`, timestamp, signal);
      this.log.warn('could not write an Event', { object: `${involved.kind} ${namespace}/${involved.name}`, error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }

  private async bump(path: string, timestamp: string, signal: AbortSignal): Promise<boolean> {
    try {
      const existing = (await requestJson(this.kc, 'GET', path, signal)) as { count?: number };
      await requestJson(this.kc, 'PATCH', path, signal, { count: (existing.count ?? 1) + 1, lastTimestamp: timestamp }, 'application/merge-patch+json');
      return true;
    } catch (error) {
      this.log.warn('could not update an Event', { event: path, error: error instanceof Error ? error.message : String(error) });
      return false;
    }
  }
}

/** Finds the object a diagnostic names ("Ingress ns/name", "IngressClass name") in the state. */
function involvedObject(object: string, state: ClusterState): Involved | undefined {
  const match = /^(Ingress|IngressClass) (?:([^/\s]+)\/)?(\S+)$/.exec(object);
  if (!match) return undefined;
  const [, kind, namespace, name] = match;
  if (kind === 'Ingress') {
    const ingress = state.ingresses.find((i) => i.metadata?.namespace === namespace && i.metadata?.name === name);
    if (!ingress) return undefined;
    return { apiVersion: 'networking.k8s.io/v1', kind, namespace: namespace ?? 'default', name: name ?? '', ...(ingress.metadata?.uid ? { uid: ingress.metadata.uid } : {}) };
  }
  const ingressClass = state.ingressClasses.find((c) => c.metadata?.name === name);
  if (!ingressClass) return undefined;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', name: name ?? '', ...(ingressClass.metadata?.uid ? { uid: ingressClass.metadata.uid } : {}) };
}
