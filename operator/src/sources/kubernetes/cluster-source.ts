// The cluster source: one reflector per watched kind, read together as one ClusterState. Feeds the
// same translation as the manifest folder does; only where the objects come from differs.
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterState, SupportedKind } from '../../store/cluster-state.js';
import { clusterStateOf } from '../../store/cluster-state.js';
import { compareStrings } from '../../util/compare.js';
import { Reflector } from './reflector.js';
import type { ObjectChange, ReflectorLog, ReflectorOptions } from './reflector.js';
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

  constructor(options: ClusterSourceOptions) {
    this.reflectors = watchedResources({ ...(options.secretLabelSelector ? { secretLabelSelector: options.secretLabelSelector } : {}) }).map(
      (resource) => new Reflector({ kc: options.kc, resource, onChange: options.onChange, log: options.log, ...(options.onRestart ? { onRestart: options.onRestart } : {}), ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}) }),
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
    type Named = { metadata?: { namespace?: string; name?: string } };
    const of = <T>(kind: SupportedKind): T[] =>
      (this.reflectors.find((r) => r.kind === kind)?.list<Named>() ?? []).sort((a, b) =>
        compareStrings(`${a.metadata?.namespace ?? ''}/${a.metadata?.name ?? ''}`, `${b.metadata?.namespace ?? ''}/${b.metadata?.name ?? ''}`),
      ) as T[];
    return clusterStateOf(of);
  }
}
