// The operator's own Prometheus series (the shared registry is observability/src/metrics.ts).
import type { Counter, Gauge, Histogram, MetricsRegistry } from '../../../observability/src/index.js';
import type { TranslationPath } from '../incremental/incremental-translator.js';

/**
 * The operator's own series, named once here so docs/xds.md, the Grafana dashboard and the code
 * agree: how long translating and publishing take, whether this replica leads, and how often the
 * API watches restart. Adds the process series too (collectProcessMetrics).
 */
export class OperatorMetrics {
  readonly translateDuration: Histogram;
  readonly publishDuration: Histogram;
  private readonly leader: Gauge;
  private readonly watchRestarts: Counter;
  private readonly translations: Counter;

  constructor(readonly registry: MetricsRegistry) {
    registry.collectProcessMetrics();
    this.translateDuration = registry.histogram('portico_translate_duration_seconds', 'Time to translate the cluster state (or manifest folder) into Envoy configuration.');
    this.publishDuration = registry.histogram('portico_publish_duration_seconds', 'Time to publish a translated configuration to the xDS cache (encoding and validating every fleet).');
    this.leader = registry.gauge('portico_leader', '1 while this replica holds the leader Lease (writes status and Events), else 0; standalone mode is always 1.');
    this.translations = registry.counter('portico_translations_total', 'Translations, by path: incremental (only what changed was translated again), or full with the reason (first, other-kinds, held-class, anchor, global-class, default-backend-beyond-scope, endpoint-slice-problem, ir-rules, unupdatable-base; docs/decisions/0015).', ['path', 'reason']);
    this.watchRestarts = registry.counter('portico_watch_restarts_total', 'Kubernetes API watches restarted, by kind and reason (expired: 410 Gone, relisted; error: retried with backoff).', ['kind', 'reason']);
  }

  /** Read before every scrape. */
  leaderFrom(isLeader: () => boolean): void {
    this.registry.beforeScrape(() => this.leader.set({}, isLeader() ? 1 : 0));
  }

  /** How the last translation was made (IncrementalTranslator.lastPath). */
  translated(path: TranslationPath): void {
    this.translations.inc(path === 'incremental' ? { path, reason: '' } : { path: 'full', reason: path });
  }

  /** `kind` is a watched kind (a fixed set), `reason` expired or error: the series stay few. */
  watchRestarted(kind: string, reason: 'expired' | 'error'): void {
    this.watchRestarts.inc({ kind, reason });
  }
}
