// Cluster mode, the operator's real job: watch the API, translate on every (coalesced) change,
// publish to the xDS server; as Lease holder, also write Ingress status and Events. Every replica
// serves xDS; only the leader writes.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from '../../../observability/src/index.js';
import { HealthServer, XdsServer } from '../../../xds-server/src/index.js';
import type { XdsServerTuning } from '../../../xds-server/src/index.js';
import { MetricsRegistry } from '../../../observability/src/index.js';
import { OperatorMetrics } from './operator-metrics.js';
import { startAdmission } from '../admission/admission.js';
import type { AdmissionOptions } from '../admission/admission.js';
import { LeaseElection } from '../leader/lease-election.js';
import { IncrementalTranslator } from '../incremental/incremental-translator.js';
import { CertificateExpiryMetric, RECHECK_MS } from './certificate-expiry.js';
import type { EnvoyConfig } from '../pipeline.js';
import { ClusterSource } from '../sources/kubernetes/cluster-source.js';
import { EventRecorder, judgement } from '../status/event-recorder.js';
import { ingressStatusTargets } from '../status/ingress-status-targets.js';
import { writeIngressStatus } from '../status/ingress-status-writer.js';
import type { AddressSource } from '../status/load-balancer-address.js';
import { writeParametersStatus } from '../status/parameters-status-writer.js';
import { DEFAULT_OWNERSHIP, selectIngressClasses } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import { Coalescer } from '../util/coalescer.js';
import { LatestOnly } from '../util/latest-only.js';
import { startXdsTls } from '../xds-identity/xds-tls.js';
import type { XdsTlsMode } from '../xds-identity/xds-tls.js';
import { DiagnosticLog } from './diagnostic-log.js';
import { publishConfig } from './fleet-publication.js';
import type { ServedFleet } from './fleet-publication.js';
import { NackDiagnostics } from './nack-diagnostics.js';
import { ChangeRouter } from '../relevance/change-router.js';

export interface ClusterModeOptions {
  /** A kubeconfig file; without it, in-cluster configuration or the default kubeconfig. */
  kubeconfig?: string;
  xdsAddress: string;
  healthAddress: string;
  logger: Logger;
  leaderElection: { namespace: string; name: string; identity?: string; leaseDurationSeconds?: number; renewDeadlineMs?: number; retryPeriodMs?: number } | false;
  /** Where Ingress status addresses come from, unless a class's parameters say; no status is written without either. */
  statusAddress?: AddressSource;
  holdoffMs?: number;
  maxDelayMs?: number;
  watchTimeoutSeconds?: number;
  /** TLS of the xDS port (xds-identity/xds-tls.ts); plain text when absent. `portico serve` always says. */
  xdsTls?: XdsTlsMode;
  /** The validating admission webhook (operator/src/admission, decision 0012); not served when absent. */
  admission?: AdmissionOptions;
  /** The IngressClasses this operator serves (its controller name); others' are never touched. */
  ownership?: ClassOwnership;
  /** xDS server settings given on the command line (`--xds-write-timeout-ms`). */
  xdsServer?: XdsServerTuning;
}

/** What the leader writes back after a reconcile. */
interface StatusInput {
  state: ReturnType<ClusterSource['snapshot']>;
  diagnostics: ReturnType<NackDiagnostics['diagnostics']>;
  classes: EnvoyConfig['classes'];
}

export interface ClusterMode {
  xdsPort: number;
  healthPort: number;
  /** The admission webhook's HTTPS port, when it is served. */
  admissionPort?: number;
  server: XdsServer;
  isLeader(): boolean;
  fleets(): ServedFleet[];
  stop(graceMs?: number): Promise<void>;
}

export async function startClusterMode(options: ClusterModeOptions): Promise<ClusterMode> {
  const { logger } = options;
  const ownership = options.ownership ?? DEFAULT_OWNERSHIP;
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();

  const metrics = new MetricsRegistry();
  const reconciles = metrics.counter('portico_reconciles_total', 'Reconciles of the cluster state, by result.', ['result']);
  const operatorMetrics = new OperatorMetrics(metrics);
  const certificateExpiry = new CertificateExpiryMetric(metrics);
  let served: ServedFleet[] = [];
  let published = false;
  let election: LeaseElection | undefined;
  const isLeader = (): boolean => (options.leaderElection === false ? true : (election?.isLeader ?? false));
  operatorMetrics.leaderFrom(isLeader);
  // The Lease holder writes each served fleet's client certificate Secret (ca-secret mode).
  const xdsTls = await startXdsTls(options.xdsTls ?? { kind: 'plaintext' }, {
    logger,
    kc,
    fleetsToIssue: () => (isLeader() && published ? served.map((f) => f.fleet) : undefined),
    expiry: () => server.certificates,
  });
  const server = new XdsServer({ logger, metrics, ...options.xdsServer, ...(xdsTls.source ? { tls: xdsTls.source } : {}) });
  const nacks = new NackDiagnostics();
  // Translates what changed (the router says what); anything it cannot follow, in full.
  const translator = new IncrementalTranslator(ownership);
  const diagnosticLog = new DiagnosticLog(logger);
  const events = new EventRecorder(kc, logger);
  const controller = new AbortController();

  const source = new ClusterSource({
    kc,
    log: logger,
    onRestart: (kind, reason) => operatorMetrics.watchRestarted(kind, reason),
    // Only what can change a fleet's output reaches a rebuild; endpoint changes bypass it.
    onChange: (_kind, changes, relisted) => router.observe(changes, relisted),
    ...(options.watchTimeoutSeconds ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
  });

  const reconcile = async (): Promise<void> => {
    if (!source.hasSynced) return; // a partial list would serve a partial configuration
    try {
      const changes = router.rebuilding();
      const state = source.snapshot();
      const translated = operatorMetrics.translateDuration.startTimer();
      const config = translator.translate(state, changes, Date.now());
      translated();
      operatorMetrics.translated(translator.lastPath);
      certificateExpiry.update(config);
      const publishedIn = operatorMetrics.publishDuration.startTimer();
      const result = publishConfig(server, config, served);
      publishedIn();
      served = result.served;
      published = true;
      router.rebuilt(config, result.problems);
      const diagnostics = [...config.diagnostics, ...(result.problems ?? []), ...nacks.diagnostics()];
      diagnosticLog.log(diagnostics);
      logger.info('config.applied', { fleets: served.map((f) => f.fleet), changed: result.changed, held: result.held.map((f) => f.fleet), diagnostics: diagnostics.length });
      // Status and Events trail behind: API round trips must never delay the next xDS push.
      if (isLeader()) statusWriter.submit({ state, diagnostics, classes: config.classes });
      reconciles.inc({ result: 'ok' });
    } catch (error) {
      // A bug in one reconcile must not stop the operator; the next change retries.
      reconciles.inc({ result: 'failed' });
      // The changes it was given are not translated: the next translation (the next change) covers everything.
      router.translationFailed();
      logger.error('reconcile.failed', { error });
    }
  };

  const writeStatusAndEvents = async ({ state, diagnostics, classes }: StatusInput): Promise<void> => {
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(30_000)]);
    // Each class's parameters may name its own status address; the flags are the fallback.
    for (const target of ingressStatusTargets(state, classes, options.statusAddress, ownership)) {
      const status = await writeIngressStatus(kc, target.ingresses, target.addresses, signal);
      if (status.written.length > 0) logger.info('status.written', { ingresses: status.written });
      for (const failure of status.failed) logger.warn('status.failed', failure);
    }
    const parameters = await writeParametersStatus(kc, state, classes, signal, new Date(), ownership);
    if (parameters.written.length > 0) logger.info('parameters_status.written', { parameters: parameters.written });
    for (const failure of parameters.failed) logger.warn('parameters_status.failed', failure);
    // An Ingress of a held class was not translated: its problems are unseen, not resolved.
    await events.sync(diagnostics, state, signal, judgement(classes, selectIngressClasses(state, ownership).ingressesByClass));
  };

  const statusWriter = new LatestOnly<StatusInput>(writeStatusAndEvents, (error) => logger.error('status.failed', { error }));

  const coalescer = new Coalescer({ holdoffMs: options.holdoffMs ?? 100, maxDelayMs: options.maxDelayMs ?? 500 }, reconcile);
  const endpointUpdates = new Coalescer({ holdoffMs: options.holdoffMs ?? 100, maxDelayMs: options.maxDelayMs ?? 500 }, () => void router.flushEndpoints());
  const router = new ChangeRouter({ ownership, ...(options.statusAddress ? { statusAddress: options.statusAddress } : {}), publisher: server, rebuild: () => coalescer.notify(), scheduleEndpoints: () => endpointUpdates.notify() });
  server.onNack((event) => {
    nacks.record(event);
    coalescer.notify();
  });
  // Certificates expire without any watch event: judge them again now and then.
  const recheck = setInterval(() => router.requestFull(), RECHECK_MS).unref();
  server.onNackResolved((event) => {
    nacks.resolve(event);
    coalescer.notify();
  });
  // A NACK goes with its client: the server forgets it when the client's last stream closes.
  server.onNacksForgotten((nodeId) => {
    if (nacks.forget(nodeId)) coalescer.notify();
  });

  source.start();
  // Envoys that connect before the first complete list would get an empty configuration and drop
  // traffic; so the xDS port opens only once there is something true to serve.
  await waitForSync(source, controller.signal, logger);
  await reconcile();
  // The events right after the initial sync are part of it: they batch.
  coalescer.markReconciled();
  endpointUpdates.markReconciled();
  const xdsPort = await server.start(options.xdsAddress);

  if (options.leaderElection !== false) {
    const identity = options.leaderElection.identity ?? `${process.env['POD_NAME'] ?? hostname()}-${randomBytes(3).toString('hex')}`;
    election = new LeaseElection({
      kc,
      ...options.leaderElection,
      identity,
      log: logger,
      onStartedLeading: () => coalescer.notify(),
      onStoppedLeading: () => {},
    });
    election.start();
  }

  // Judges a submitted Ingress against the state this replica translates (after the first complete list).
  const admission = options.admission
    ? await startAdmission(options.admission, { kc, logger, isLeader, review: () => ({ state: source.hasSynced ? source.snapshot() : undefined, now: Date.now(), ownership }) })
    : undefined;

  const health = new HealthServer({
    ready: () => server.serving && published,
    metrics: () => metrics.render(),
    debug: () => ({ leader: isLeader(), fleets: server.fleets(), streams: server.streams(), nacks: server.nacks() }),
    configDump: (fleet, node) => server.configDump(fleet, node),
  });
  const healthPort = await health.listen(options.healthAddress);

  let stopping: Promise<void> | undefined;
  return {
    xdsPort,
    healthPort,
    ...(admission ? { admissionPort: admission.port } : {}),
    server,
    isLeader,
    fleets: () => served,
    stop: (graceMs = 5_000) => {
      stopping ??= (async () => {
        controller.abort();
        clearInterval(recheck);
        coalescer.stop();
        endpointUpdates.stop();
        await statusWriter.idle();
        await election?.stop();
        await admission?.stop();
        await source.stop();
        await server.shutdown(graceMs);
        await xdsTls.stop();
        await health.close();
        logger.info('serve.stopped', {});
      })();
      return stopping;
    },
  };
}

async function waitForSync(source: ClusterSource, signal: AbortSignal, logger: Logger): Promise<void> {
  const started = Date.now();
  let warned = false;
  while (!source.hasSynced && !signal.aborted) {
    if (!warned && Date.now() - started > 10_000) {
      logger.warn('cluster.sync_slow', { hint: 'the first list of Ingresses, IngressClasses, Services or EndpointSlices has not completed; check RBAC and connectivity' });
      warned = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
