// One reconcile of standalone mode: read the manifest folder, translate, publish every fleet, and
// retire fleets that disappeared. A folder that cannot be read in full (a file half-saved, broken
// YAML) changes nothing: the last good configuration keeps being served and the file is named in
// the log. Object-level problems do not block anything; the translator isolates them.
import type { Logger } from '../../../xds-server/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { loadManifests } from '../sources/manifests/load-manifests.js';
import { ManifestCache } from '../sources/manifests/manifest-cache.js';
import { DiagnosticLog } from './diagnostic-log.js';
import { publishConfig } from './fleet-publication.js';
import type { FleetPublisher, ServedFleet } from './fleet-publication.js';

export interface ApplyOutcome {
  applied: boolean;
  /** Fleets whose configuration changed. */
  changed: string[];
  fleets: ServedFleet[];
  /** When not applied: what could not be read. */
  problems: Diagnostic[];
}

export class ManifestApplier {
  /** Unchanged files are not parsed again on reload (parsing dominates reloads of large folders). */
  private readonly parsed = new ManifestCache();
  private served: ServedFleet[] = [];
  private readonly diagnosticLog: DiagnosticLog;
  private appliedOnce = false;

  constructor(
    private readonly folder: string,
    private readonly publisher: FleetPublisher,
    private readonly logger: Logger,
  ) {
    this.diagnosticLog = new DiagnosticLog(logger);
  }

  /** True once some configuration has been published (readiness). */
  get hasConfiguration(): boolean {
    return this.appliedOnce;
  }

  get fleets(): ServedFleet[] {
    return this.served;
  }

  apply(): ApplyOutcome {
    const started = performance.now();
    const loaded = loadManifests([this.folder], this.parsed);
    if (loaded.unreadable) {
      const unreadable = loaded.problems.filter((p) => p.severity === 'error');
      for (const problem of unreadable) this.logger.error('manifests.unreadable', { file: problem.object, message: problem.message });
      this.logger.warn('config.kept', {
        reason: 'some manifest files cannot be read; serving the last good configuration until they are fixed',
        files: [...new Set(unreadable.map((p) => p.object))],
        serving: this.appliedOnce ? this.served.map((f) => f.fleet) : 'nothing yet',
      });
      return { applied: false, changed: [], fleets: this.served, problems: unreadable };
    }

    const config = buildEnvoyConfig(loaded.state);
    this.diagnosticLog.log([...loaded.problems, ...config.diagnostics]);
    const { served, changed, held } = publishConfig(this.publisher, config, this.served);
    this.served = served;
    this.appliedOnce = true;
    this.logger.info('config.applied', {
      fleets: served.map((f) => f.fleet),
      changed,
      held: held.map((f) => f.fleet),
      diagnostics: config.diagnostics.length + loaded.problems.length,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    });
    return { applied: true, changed, fleets: served, problems: [] };
  }
}
