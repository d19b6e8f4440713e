// The cluster source: one reflector per watched kind, read together as one ClusterState. Feeds the
// same translation as the manifest folder does; only where the objects come from differs.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterState, SupportedKind } from '../../store/cluster-state.js';
import { clusterStateOf } from '../../store/cluster-state.js';
import { Reflector } from './reflector.js';
import type { ObjectChange, ReflectorLog, ReflectorOptions } from './reflector.js';
import { SortedObjects } from './sorted-objects.js';
import { watchedResources } from './watched-resources.js';

export interface ClusterSourceOptions {
  kc: KubeConfig;
  log: ReflectorLog;
  onRestart?: ReflectorOptions['onRestart'];
  onChange: (kind: SupportedKind, changes: readonly ObjectChange[], relisted?: boolean) => void;
  secretLabelSelector?: string;
  watchTimeoutSeconds?: number;
}

export class ClusterSource {
  private readonly reflectors: Reflector[];
  /** Each kind in key order, kept as changes arrive (a snapshot per reconcile does not sort). */
  private readonly sorted = new Map<SupportedKind, SortedObjects>();

  constructor(options: ClusterSourceOptions) {
    const onChange = (kind: SupportedKind, changes: readonly ObjectChange[], relisted?: boolean): void => {
      this.sortedOf(kind).apply(changes, relisted === true);
      options.onChange(kind, changes, relisted);
    };
    this.reflectors = watchedResources({ ...(options.secretLabelSelector ? { secretLabelSelector: options.secretLabelSelector } : {}) }).map(
      (resource) => new Reflector({ kc: options.kc, resource, onChange, log: options.log, ...(options.onRestart ? { onRestart: options.onRestart } : {}), ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}) }),
    );
  }

  start(): void {
    for (const reflector of this.reflectors) reflector.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.stop()));
  }

  /** Translating before every kind has been listed once would serve a partial configuration. */
  get hasSynced(): boolean {
    return this.reflectors.every((r) => r.hasSynced);
  }

  snapshot(): ClusterState {
    return clusterStateOf(<T>(kind: SupportedKind): T[] => this.sortedOf(kind).list(() => this.reflectors.find((r) => r.kind === kind)?.list<T>() ?? []));
  }

  private sortedOf(kind: SupportedKind): SortedObjects {
    let sorted = this.sorted.get(kind);
    if (!sorted) this.sorted.set(kind, (sorted = new SortedObjects()));
    return sorted;
  }
}
