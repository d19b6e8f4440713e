// One reconcile of standalone mode: read the manifest folder once it has settled, translate,
// publish every fleet, and retire fleets that disappeared. A folder that cannot be read in full (a
// file too large, broken YAML) changes nothing: the last good configuration keeps being served and
// the file is named in the log. Object-level problems do not block anything; the translator
// isolates them. A reload that takes most of a fleet away is applied, and logged as a warning.
import type { Histogram, Logger } from '../../../observability/src/index.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { changesBetween, keptLists } from '../incremental/state-changes.js';
import { IncrementalTranslator } from '../incremental/incremental-translator.js';
import type { TranslationPath } from '../incremental/incremental-translator.js';
import { EVERYTHING } from '../relevance/change-scope.js';
import type { ClusterState } from '../store/cluster-state.js';
import type { EnvoyConfig } from '../pipeline.js';
import { loadSettledManifests } from '../sources/manifests/load-settled-manifests.js';
import { ManifestCache } from '../sources/manifests/manifest-cache.js';
import { StateAssembly } from '../sources/manifests/state-assembly.js';
import type { ManifestLimits } from '../sources/manifests/manifest-limits.js';
import type { ListingBaseline } from '../sources/manifests/listing-update.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import { changedPaths } from '../sources/manifests/manifest-stamps.js';
import type { Stamps } from '../sources/manifests/manifest-stamps.js';
import { DiagnosticLog } from './diagnostic-log.js';
import { fleetSize, largeRemovals } from './fleet-shrinkage.js';
import type { FleetSize } from './fleet-shrinkage.js';
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

export interface ManifestApplierOptions {
  /** How long files must stay unchanged before they are used (default 300 ms). */
  quietMs?: number;
  limits?: ManifestLimits;
  /** The IngressClasses served (`portico serve --controller-name`); the default controller's when absent. */
  ownership?: ClassOwnership;
  /** portico_translate_duration_seconds and portico_publish_duration_seconds (OperatorMetrics). */
  timings?: { translateDuration: Histogram; publishDuration: Histogram; translated(path: TranslationPath): void };
}

export interface ApplyRequest {
  /** Read every file again, even those whose stamp did not change (SIGHUP). */
  fullRead?: boolean;
  /** Translate everything, changed or not (certificates are judged again at the current instant). */
  translateAll?: boolean;
  /** Abandons the wait for the folder to settle: apply() then resolves to undefined. */
  signal?: AbortSignal;
  /**
   * The paths of the entries that changed since the last apply started, when a watcher can tell
   * (undefined: anything may have; the folder is walked).
   */
  changed?: ReadonlySet<string>;
  /** The entries named since this apply started, so far: what the settle check looks at. */
  namedSince?: () => ReadonlySet<string> | undefined;
}

/** Files named in one log line at most: a removal of thousands of files must not make a huge line. */
const FILES_LOGGED = 20;

export class ManifestApplier {
  /** Unchanged files are not parsed again on reload (parsing dominates reloads of large folders). */
  private readonly parsed = new ManifestCache();
  /** Nor are unchanged files' objects added to the state again. */
  private readonly assembly = new StateAssembly();
  /** Nor is the folder walked when the watcher named what changed since this listing. */
  private baseline: ListingBaseline | undefined;
  private served: ServedFleet[] = [];
  private sizes = new Map<string, FleetSize>();
  private appliedStamps: Stamps = new Map();
  private readStamps: Stamps = new Map();
  private readonly diagnosticLog: DiagnosticLog;
  private appliedOnce = false;

  private readonly translator: IncrementalTranslator;
  /** The state the last applied translation was made from. */
  private appliedState: ClusterState | undefined;

  constructor(
    private readonly folder: string,
    private readonly publisher: FleetPublisher,
    private readonly logger: Logger,
    private readonly options: ManifestApplierOptions = {},
  ) {
    this.diagnosticLog = new DiagnosticLog(logger);
    this.translator = new IncrementalTranslator(options.ownership);
  }

  /** True once some configuration has been published (readiness). */
  get hasConfiguration(): boolean {
    return this.appliedOnce;
  }

  get fleets(): ServedFleet[] {
    return this.served;
  }

  /** Stamps of the folder's manifest entries as the last load read them, applied or not. */
  get lastRead(): Stamps {
    return this.readStamps;
  }

  async apply(request: ApplyRequest = {}): Promise<ApplyOutcome | undefined> {
    if (request.fullRead) {
      this.parsed.clear();
      this.assembly.clear();
    }
    const since = request.changed && !request.fullRead && this.baseline ? { since: { baseline: this.baseline, changed: request.changed } } : {};
    // A load that throws or is abandoned leaves no baseline: what it was told changed is lost.
    this.baseline = undefined;
    const settled = await loadSettledManifests([this.folder], {
      ...since,
      ...(request.namedSince ? { namedSince: request.namedSince } : {}),
      cache: this.parsed,
      assembly: this.assembly,
      quietMs: this.options.quietMs ?? 300,
      ...(this.options.limits ? { limits: this.options.limits } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      onUnsettled: (files, waitedMs) => this.logger.warn('manifests.unsettled', { reason: 'files keep changing; nothing is applied until they stay unchanged', files: files.slice(0, FILES_LOGGED), waitedMs: Math.round(waitedMs) }),
    });
    if (!settled) return undefined;
    const { loaded } = settled;
    this.readStamps = loaded.stamps;
    this.baseline = loaded.baseline;
    if (loaded.unreadable) {
      const unreadable = loaded.fileProblems.filter((p) => p.severity === 'error');
      for (const problem of unreadable) this.logger.error('manifests.unreadable', { file: problem.object, message: problem.message });
      this.logger.warn('config.kept', {
        reason: 'some manifest files cannot be read; serving the last good configuration until they are fixed',
        files: [...new Set(unreadable.map((p) => p.object))],
        serving: this.appliedOnce ? this.served.map((f) => f.fleet) : 'nothing yet',
      });
      return { applied: false, changed: [], fleets: this.served, problems: unreadable };
    }

    const started = performance.now();
    const translated = this.options.timings?.translateDuration.startTimer();
    // Only the Ingresses that changed since the last apply are translated again (all of it when
    // anything else changed, after a full read, or when asked).
    const changes = request.fullRead || request.translateAll ? EVERYTHING : changesBetween(this.appliedState, loaded.state);
    const state = keptLists(this.appliedState, loaded.state);
    const config = this.translator.translate(state, changes, Date.now());
    translated?.();
    this.options.timings?.translated(this.translator.lastPath);
    const publishedIn = this.options.timings?.publishDuration.startTimer();
    const { served, changed, held, problems: refused = [] } = publishConfig(this.publisher, config, this.served);
    publishedIn?.();
    this.diagnosticLog.log([...loaded.problems, ...config.diagnostics, ...refused]);
    const sizes = sizesAfter(config, held, this.sizes);
    const appliedStamps = this.appliedStamps;
    this.warnAboutLargeRemovals(sizes, () => changedPaths(appliedStamps, loaded.stamps));
    this.served = served;
    this.sizes = sizes;
    this.appliedStamps = loaded.stamps;
    this.appliedState = state;
    this.appliedOnce = true;
    this.logger.info('config.applied', {
      fleets: served.map((f) => f.fleet),
      changed,
      held: held.map((f) => f.fleet),
      diagnostics: config.diagnostics.length + loaded.problems.length + refused.length,
      // Reading, translating and publishing; waiting for files to settle is reported apart.
      durationMs: round(settled.loadMs + performance.now() - started),
      // False when only the entries the watcher named were looked at.
      walked: loaded.walked,
      settleMs: round(settled.waitedMs),
    });
    return { applied: true, changed, fleets: served, problems: [] };
  }

  /** `changedFiles` compares every stamp: asked for only when there is a large removal to name them in. */
  private warnAboutLargeRemovals(sizes: ReadonlyMap<string, FleetSize>, changedFiles: () => string[]): void {
    const removals = largeRemovals(this.sizes, sizes);
    const files = removals.length > 0 ? changedFiles() : [];
    for (const { fleet, before, after } of removals) {
      this.logger.warn('config.large_removal', {
        fleet,
        before,
        after,
        files: files.slice(0, FILES_LOGGED),
        ...(files.length > FILES_LOGGED ? { moreFiles: files.length - FILES_LOGGED } : {}),
        applied: 'yes: the manifest folder is the source of truth; restore the files to bring the configuration back',
      });
    }
  }
}

/** What each fleet serves after a publish: the new translation, or what it had when held. */
function sizesAfter(config: Pick<EnvoyConfig, 'fleets'>, held: readonly ServedFleet[], before: ReadonlyMap<string, FleetSize>): Map<string, FleetSize> {
  const sizes = new Map(config.fleets.map((f) => [f.fleet, fleetSize(f.resources)]));
  for (const { fleet } of held) {
    const kept = before.get(fleet);
    if (kept) sizes.set(fleet, kept);
  }
  return sizes;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
