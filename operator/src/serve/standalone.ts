// Standalone mode, the main job without a cluster: a folder of manifests in, xDS out. Watches the
// folder, coalesces bursts of edits, waits for the files to settle, and republishes; reloads on
// request (SIGHUP); serves health, readiness and metrics.
import type { FleetSummary, XdsServerTuning } from '../../../xds-server/src/index.js';
import type { Logger } from '../../../observability/src/index.js';
import { HealthServer, XdsServer } from '../../../xds-server/src/index.js';
import { MetricsRegistry } from '../../../observability/src/index.js';
import { OperatorMetrics } from './operator-metrics.js';
import { listManifestFiles } from '../sources/manifests/list-manifest-files.js';
import { DEFAULT_MANIFEST_LIMITS } from '../sources/manifests/manifest-limits.js';
import type { ManifestLimits } from '../sources/manifests/manifest-limits.js';
import type { Stamps } from '../sources/manifests/manifest-stamps.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import { RECHECK_MS } from './certificate-expiry.js';
import { Coalescer } from '../util/coalescer.js';
import { startXdsTls } from '../xds-identity/xds-tls.js';
import type { XdsTlsMode } from '../xds-identity/xds-tls.js';
import { FolderWatcher } from './folder-watcher.js';
import { ManifestApplier } from './manifest-applier.js';
import type { ServedFleet } from './fleet-publication.js';

export interface StandaloneOptions {
  manifests: string;
  xdsAddress: string;
  healthAddress: string;
  logger: Logger;
  /** Quiet period after a change event before reloading: coalesces bursts of events (100 ms). */
  debounceMs?: number;
  /**
   * How long every file must stay unchanged after being read before it is applied (300 ms), so a
   * file caught half-written (truncated, then written) never reaches clients.
   */
  quietMs?: number;
  limits?: ManifestLimits;
  pollIntervalMs?: number;
  /** Plain text unless a folder of certificates is given (standalone has no CA of its own). */
  xdsTls?: Extract<XdsTlsMode, { kind: 'plaintext' | 'files' }>;
  /** The IngressClasses served (`--controller-name`, `--ingress-classes`); the default controller's when absent. */
  ownership?: ClassOwnership;
  /** xDS server settings given on the command line (`--xds-write-timeout-ms`). */
  xdsServer?: XdsServerTuning;
}

export interface Standalone {
  xdsPort: number;
  healthPort: number;
  server: XdsServer;
  fleets(): ServedFleet[];
  summaries(): FleetSummary[];
  /** Reads the whole folder again, every file, changed or not (what SIGHUP does). */
  reload(): void;
  /** Graceful: stop watching, drain xDS streams, close the health listener. */
  stop(graceMs?: number): Promise<void>;
}

export async function startStandalone(options: StandaloneOptions): Promise<Standalone> {
  const { logger } = options;
  const metrics = new MetricsRegistry();
  const reloads = metrics.counter('portico_config_reloads_total', 'Manifest folder reloads, by result (applied, or kept the last good configuration).', ['result']);
  const operatorMetrics = new OperatorMetrics(metrics);
  operatorMetrics.leaderFrom(() => true);
  const xdsTls = await startXdsTls(options.xdsTls ?? { kind: 'plaintext' }, { logger });
  const server = new XdsServer({ logger, metrics, ...options.xdsServer, ...(xdsTls.source ? { tls: xdsTls.source } : {}) });
  const applier = new ManifestApplier(options.manifests, server, logger, {
    ...(options.quietMs === undefined ? {} : { quietMs: options.quietMs }),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.ownership ? { ownership: options.ownership } : {}),
    timings: operatorMetrics,
  });
  const limits = options.limits ?? DEFAULT_MANIFEST_LIMITS;
  /** The folder's stamps as they are now: what the watcher's poll compares. */
  const look = async (signal?: AbortSignal): Promise<Stamps> => (await listManifestFiles([options.manifests], limits, signal ? { signal } : {})).stamps;
  // Ends a wait for files to settle when the server stops.
  const stopped = new AbortController();
  let fullReadRequested = false;
  let recheckRequested = false;
  const reload = async (): Promise<void> => {
    let failed = false;
    const readBefore = applier.lastRead;
    const changed = watcher.reloadStarted();
    const fullRead = fullReadRequested;
    const recheck = recheckRequested;
    fullReadRequested = false;
    recheckRequested = false;
    try {
      const outcome = await applier.apply({ fullRead, translateAll: recheck, signal: stopped.signal, ...(changed ? { changed, namedSince: () => watcher.namedSinceReloadStarted() } : {}) });
      if (outcome) reloads.inc({ result: outcome.applied ? 'applied' : 'kept' });
    } catch (error) {
      // A translator bug must not take down a server that is serving a good configuration.
      reloads.inc({ result: 'failed' });
      logger.error('config.reload_failed', { error });
      failed = true;
    } finally {
      // A reload that failed before its read completed read nothing to record: the folder as it
      // is now, or every poll would see the change and try again.
      const readNothing = failed && applier.lastRead === readBefore;
      watcher.reloadEnded(readNothing ? await look().catch(() => applier.lastRead) : applier.lastRead);
    }
  };
  // Watching starts before the first load, so that nothing changed after the load's read goes
  // unnamed. What it sees before reloads are scheduled schedules one as soon as they are.
  const scheduling: { coalescer?: Coalescer; missed: boolean } = { missed: false };
  const watcher = new FolderWatcher(
    options.manifests,
    () => (scheduling.coalescer ? scheduling.coalescer.notify() : (scheduling.missed = true)),
    look,
    new Map(),
    options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs },
  );
  // Load before listening, so the first clients get the configuration, not an empty one.
  await reload();
  let xdsPort: number;
  try {
    xdsPort = await server.start(options.xdsAddress);
  } catch (error) {
    watcher.close(); // its watches would keep the process alive
    await xdsTls.stop();
    throw error;
  }
  const health = new HealthServer({
    ready: () => server.serving && applier.hasConfiguration,
    metrics: () => metrics.render(),
    debug: () => ({ fleets: server.fleets(), streams: server.streams(), nacks: server.nacks() }),
    configDump: (fleet, node) => server.configDump(fleet, node),
  });
  let healthPort: number;
  try {
    healthPort = await health.listen(options.healthAddress);
  } catch (error) {
    watcher.close();
    await server.shutdown(0);
    await xdsTls.stop();
    throw error;
  }
  logger.info('health.listening', { address: options.healthAddress, port: healthPort });

  const coalescer = new Coalescer({ holdoffMs: options.debounceMs ?? 100, maxDelayMs: 1_000 }, reload);
  // Certificates expire without any file changing: judge them again now and then.
  const recheck = setInterval(() => {
    recheckRequested = true;
    coalescer.notify();
  }, RECHECK_MS).unref();
  scheduling.coalescer = coalescer;
  if (scheduling.missed) coalescer.notify();
  logger.info('manifests.watching', { folder: options.manifests });

  let stopping: Promise<void> | undefined;
  return {
    xdsPort,
    healthPort,
    server,
    fleets: () => applier.fleets,
    summaries: () => server.fleets(),
    reload: () => {
      fullReadRequested = true;
      coalescer.notify();
    },
    stop: (graceMs = 5_000) => {
      stopping ??= (async () => {
        stopped.abort();
        watcher.close();
        clearInterval(recheck);
        coalescer.stop();
        await server.shutdown(graceMs);
        await xdsTls.stop();
        await health.close();
        logger.info('serve.stopped', {});
      })();
      return stopping;
    },
  };
}
