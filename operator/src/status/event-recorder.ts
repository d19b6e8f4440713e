// Turns diagnostics into Kubernetes Events on the objects they are about, so `kubectl describe
// ingress` shows what is wrong. A problem (an error or a warning; info makes no Event) gets one
// Warning Event when it appears (its count grows if it reappears); when an object's last problem
// goes away it gets a Normal Event saying so (ConfigurationValid), and when its last error goes
// away while warnings remain, a Normal Event saying that (ConfigurationErrorsResolved): a fix is
// seen as a fix even where a warning is there to stay. Only then: an Ingress whose class is held
// was not translated, so the absence of its problems means nothing (what was reported stands), and
// an object that is no longer ours (or gone) is forgotten without a word. Events carry the field manager `portico` and the reporting replica. Event names are derived from the object and the message, so a restarted leader bumps the
// existing Event's count instead of creating duplicates.
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Diagnostic, Severity } from '../diagnostics/diagnostic.js';
import { KubeHttpError, requestJson } from '../kube/kube-http.js';
import type { ClusterState, V1Ingress } from '../store/cluster-state.js';
import type { ClassParameters } from '../translate/parameters/resolve-class-parameters.js';
import { reportingInstance, withFieldManager } from './reporter.js';

export const EVENT_COMPONENT = 'portico-controller';

/** The Normal Events' reasons and messages (docs/install.md, "Events"). */
export const RESOLVED = { reason: 'ConfigurationValid', message: 'all problems reported earlier are resolved' } as const;
export const ERRORS_RESOLVED = { reason: 'ConfigurationErrorsResolved', message: 'all errors reported earlier are resolved; the warnings still reported remain' } as const;

interface Involved {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/**
 * Whose problems this round's diagnostics tell the whole truth about. `judged`: our IngressClasses
 * and the Ingresses of our classes that were translated; `unjudged`: Ingresses of our classes that
 * are held (not translated). Any other object is not ours.
 */
export interface Judgement {
  judged: ReadonlySet<string>;
  unjudged: ReadonlySet<string>;
}

/** The judgement for a translation's classes and the Ingresses of each of our classes. */
export function judgement(classes: readonly ClassParameters[], ingressesByClass: ReadonlyMap<string, readonly V1Ingress[]>): Judgement {
  const judged = new Set<string>();
  const unjudged = new Set<string>();
  for (const resolved of classes) {
    judged.add(`IngressClass ${resolved.ingressClass}`);
    for (const ingress of ingressesByClass.get(resolved.ingressClass) ?? []) {
      const object = `Ingress ${ingress.metadata?.namespace ?? 'default'}/${ingress.metadata?.name ?? ''}`;
      (resolved.accepted ? judged : unjudged).add(object);
    }
  }
  return { judged, unjudged };
}

export class EventRecorder {
  /** Object ref → messages already reported and still present, with their severity. */
  private active = new Map<string, Map<string, Severity>>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly log: { warn(message: string, fields?: Record<string, unknown>): void },
    private readonly now: () => Date = () => new Date(),
    private readonly instance: string = reportingInstance(),
  ) {}

  /**
   * Reports what appeared and what went away. Without a judgement every object found in the state
   * counts as judged.
   */
  async sync(diagnostics: readonly Diagnostic[], state: ClusterState, signal: AbortSignal, judged?: Judgement): Promise<void> {
    const standing = (object: string): 'judged' | 'unjudged' | 'not ours' => {
      if (!judged) return 'judged';
      if (judged.unjudged.has(object)) return 'unjudged';
      return judged.judged.has(object) ? 'judged' : 'not ours';
    };
    const current = new Map<string, Map<string, Diagnostic>>();
    for (const diagnostic of diagnostics) {
      // Info is not a problem: no Event, and it does not keep an object from being valid.
      if (diagnostic.severity === 'info') continue;
      const messages = current.get(diagnostic.object) ?? new Map<string, Diagnostic>();
      messages.set(diagnostic.message, diagnostic);
      current.set(diagnostic.object, messages);
    }
    for (const [object, messages] of current) {
      const involved = involvedObject(object, state);
      if (!involved) continue;
      const reported = this.active.get(object) ?? new Map<string, Severity>();
      const hadErrors = [...reported.values()].includes('error');
      for (const [message, diagnostic] of messages) {
        if (reported.has(message)) continue;
        const reason = diagnostic.severity === 'error' ? 'ConfigurationError' : 'ConfigurationWarning';
        if (await this.emit(involved, 'Warning', reason, message, signal)) reported.set(message, diagnostic.severity);
      }
      // Problems of an untranslated Ingress are not gone, only unseen: keep them.
      if (standing(object) !== 'unjudged') {
        for (const message of [...reported.keys()]) if (!messages.has(message)) reported.delete(message);
        // Every error reported is gone and only warnings are left: say the errors are resolved,
        // once per such change (an unchanged round finds no error reported, so says nothing).
        const errorsLeft = [...messages.values()].some((d) => d.severity === 'error');
        if (hadErrors && !errorsLeft) await this.emit(involved, 'Normal', ERRORS_RESOLVED.reason, ERRORS_RESOLVED.message, signal);
      }
      this.active.set(object, reported);
    }
    for (const [object, reported] of [...this.active]) {
      if (current.has(object)) continue;
      const now = standing(object);
      if (now === 'unjudged') continue;
      this.active.delete(object);
      if (now === 'not ours') continue;
      const involved = involvedObject(object, state);
      if (involved && reported.size > 0) await this.emit(involved, 'Normal', RESOLVED.reason, RESOLVED.message, signal);
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
      await requestJson(this.kc, 'POST', withFieldManager(base), signal, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: involved,
        type,
        reason,
        message: message.slice(0, 1024),
        source: { component: EVENT_COMPONENT },
        // core/v1's name for events.k8s.io's reportingController.
        reportingComponent: EVENT_COMPONENT,
        reportingInstance: this.instance,
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
      await requestJson(this.kc, 'PATCH', withFieldManager(path), signal, { count: (existing.count ?? 1) + 1, lastTimestamp: timestamp }, 'application/merge-patch+json');
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
