// `portico serve`: serves xDS until SIGTERM or SIGINT, then drains streams and exits 0; SIGHUP
// reloads the manifest folder (as nginx users expect) or is logged as ignored. Two sources, one
// pipeline: --manifests (standalone, a folder of manifests) or --kubeconfig/--in-cluster (the
// operator in a cluster). Logs are JSON on stderr; stdout says where to connect.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import { createLogger, isLogLevel } from '../../../xds-server/src/index.js';
import type { LogLevel, Logger } from '../../../xds-server/src/index.js';
import { startClusterMode } from '../serve/cluster-mode.js';
import { connectionHelp } from '../serve/connection-help.js';
import { startStandalone } from '../serve/standalone.js';
import { parseAddressSource } from '../status/load-balancer-address.js';

interface ServeOptions {
  manifests?: string;
  kubeconfig?: string;
  inCluster?: boolean;
  xdsAddress: string;
  healthAddress: string;
  logLevel: LogLevel;
  shutdownGraceMs: string;
  leaderElection: boolean;
  leaderElectionNamespace: string;
  leaderElectionName: string;
  statusAddress?: string;
  envoyService?: string;
  settleMs: string;
}

interface Running {
  stop(graceMs?: number): Promise<void>;
  /** Standalone only: read the manifest folder again. */
  reload?(): void;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve Envoy fleets and gRPC clients over xDS, from a folder of manifests or from a cluster')
    .option('--manifests <dir>', 'standalone: folder of Ingress, IngressClass, IngressClassParameters, Service, EndpointSlice and Secret manifests')
    .option('--kubeconfig <path>', 'cluster: watch the API server this kubeconfig names')
    .option('--in-cluster', 'cluster: use the pod\'s ServiceAccount (also the default when KUBERNETES_SERVICE_HOST is set)')
    .option('--no-leader-election', 'cluster: write status without electing a leader (one replica only)')
    .option('--leader-election-namespace <ns>', 'cluster: namespace of the leader Lease', process.env['POD_NAMESPACE'] ?? 'portico-system')
    .option('--leader-election-name <name>', 'cluster: name of the leader Lease', 'portico-leader')
    .option('--status-address <addresses>', 'cluster: comma-separated IPs or hostnames written to Ingress status')
    .option('--envoy-service <namespace/name>', 'cluster: take Ingress status from this Service\'s load-balancer status')
    .option('--xds-address <host:port>', 'where the xDS (ADS) server listens', '127.0.0.1:18000')
    .option('--health-address <host:port>', 'where /healthz, /readyz, /metrics and /debug/xds are served', '127.0.0.1:9090')
    .addOption(new Option('--log-level <level>', 'least severe log level written').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .option('--shutdown-grace-ms <ms>', 'how long streams may take to finish on SIGTERM', '5000')
    .option('--settle-ms <ms>', 'standalone: how long changed files must stay unchanged before they are used (0 when every writer renames files into place, as ConfigMap volumes do)', '300')
    .action(async (options: ServeOptions) => {
      const clusterMode = Boolean(options.kubeconfig || options.inCluster || (!options.manifests && process.env['KUBERNETES_SERVICE_HOST']));
      if (options.manifests && clusterMode) throw new Error('--manifests cannot be combined with --kubeconfig or --in-cluster');
      if (!options.manifests && !clusterMode) throw new Error('say where the configuration comes from: --manifests <dir>, or --kubeconfig <path> / --in-cluster');
      const logger = createLogger({ level: isLogLevel(options.logLevel) ? options.logLevel : 'info' });
      const hangup = onHangup(logger);
      const running = options.manifests ? await serveManifests(options.manifests, options, logger) : await serveCluster(options, logger);
      hangup.now(running.reload ? { reload: () => running.reload?.() } : { ignoredBecause: 'cluster mode follows the API server; there is no file to read again' });
      const signal = await terminationSignal();
      hangup.now({ ignoredBecause: 'shutting down' });
      logger.info('serve.signal', { signal });
      await running.stop(Number(options.shutdownGraceMs));
      process.exitCode = 0;
      // Whatever a library left open must not keep a stopped server alive.
      setTimeout(() => process.exit(0), 1_000).unref();
    });
}

async function serveManifests(manifests: string, options: ServeOptions, logger: ReturnType<typeof createLogger>): Promise<Running> {
  if (!isDirectory(manifests)) throw new Error(`--manifests ${manifests}: not a folder`);
  const settleMs = Number(options.settleMs);
  if (!Number.isInteger(settleMs) || settleMs < 0) throw new Error(`--settle-ms must be a whole number of milliseconds, not ${JSON.stringify(options.settleMs)}`);
  const standalone = await startStandalone({ manifests, xdsAddress: options.xdsAddress, healthAddress: options.healthAddress, logger, quietMs: settleMs });
  process.stdout.write(
    connectionHelp({
      source: `manifests in ${manifests}`,
      xdsAddress: withPort(options.xdsAddress, standalone.xdsPort),
      healthAddress: withPort(options.healthAddress, standalone.healthPort),
      fleets: standalone.fleets(),
      summaries: standalone.summaries(),
    }),
  );
  return standalone;
}

async function serveCluster(options: ServeOptions, logger: ReturnType<typeof createLogger>): Promise<Running> {
  const statusAddress = parseAddressSource({
    ...(options.statusAddress ? { statusAddress: options.statusAddress } : {}),
    ...(options.envoyService ? { envoyService: options.envoyService } : {}),
  });
  if (!statusAddress) logger.warn('status.disabled', { hint: 'give --status-address or --envoy-service (or spec.statusAddress in IngressClassParameters) to write Ingress status' });
  const cluster = await startClusterMode({
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    xdsAddress: options.xdsAddress,
    healthAddress: options.healthAddress,
    logger,
    leaderElection: options.leaderElection ? { namespace: options.leaderElectionNamespace, name: options.leaderElectionName } : false,
    ...(statusAddress ? { statusAddress } : {}),
  });
  process.stdout.write(
    connectionHelp({
      source: options.kubeconfig ? `the cluster of ${options.kubeconfig}` : 'the cluster (in-cluster configuration)',
      xdsAddress: withPort(options.xdsAddress, cluster.xdsPort),
      healthAddress: withPort(options.healthAddress, cluster.healthPort),
      fleets: cluster.fleets(),
      summaries: cluster.server.fleets(),
    }),
  );
  return cluster;
}

type HangupAction = { reload: () => void } | { ignoredBecause: string };

/**
 * Handles SIGHUP from the start: Node's default is to exit without a word, which is never what a
 * SIGHUP to a server means. Reloads when there is a folder to read, else logs why not.
 */
function onHangup(logger: Logger): { now(action: HangupAction): void } {
  let action: HangupAction = { ignoredBecause: 'still starting; the first load reads every file anyway' };
  process.on('SIGHUP', () => {
    if ('reload' in action) {
      logger.info('serve.signal', { signal: 'SIGHUP', action: 'reload' });
      action.reload();
    } else {
      logger.info('serve.signal', { signal: 'SIGHUP', action: 'ignored', reason: action.ignoredBecause });
    }
  });
  return { now: (next) => void (action = next) };
}

function terminationSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
      resolve(signal);
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** The address as given, with the port actually bound (differs when 0 was asked for). */
function withPort(address: string, port: number): string {
  return `${address.slice(0, address.lastIndexOf(':'))}:${port}`;
}
