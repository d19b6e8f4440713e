// `portico serve`: serves xDS until SIGTERM or SIGINT, then drains streams and exits 0; SIGHUP
// reloads the manifest folder (as nginx users expect) or is logged as ignored. Two sources, one
// pipeline: --manifests (standalone, a folder of manifests) or --kubeconfig/--in-cluster (the
// operator in a cluster). Logs are JSON on stderr; stdout says where to connect.
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { Logger, LogLevel } from '../../../observability/src/index.js';
import { createLogger, isLogLevel } from '../../../observability/src/index.js';
import type { AdmissionOptions } from '../admission/admission.js';
import { startClusterMode } from '../serve/cluster-mode.js';
import { connectionHelp } from '../serve/connection-help.js';
import { startStandalone } from '../serve/standalone.js';
import { CONTROLLER_NAME } from '../translate/ingress-classes.js';
import { parseOwnership } from './ownership-options.js';
import { DEFAULT_SECRET_PREFIX } from '../xds-identity/cluster-identity.js';
import { serviceNames } from '../xds-identity/server-names.js';
import type { XdsTlsMode } from '../xds-identity/xds-tls.js';
import { parseAddressSource } from '../status/load-balancer-address.js';
import { DEFAULT_WRITE_TIMEOUT_MS } from '../../../xds-server/src/index.js';
import type { XdsServerTuning } from '../../../xds-server/src/index.js';

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
  xdsWriteTimeoutMs: string;
  xdsTlsDir?: string;
  xdsPlaintext?: boolean;
  xdsService: string;
  xdsServerNames?: string;
  admission: boolean;
  admissionAddress?: string;
  admissionService?: string;
  admissionServerNames?: string;
  admissionWebhookConfiguration?: string;
  xdsSecretPrefix: string;
  controllerName: string;
  ingressClasses?: string;
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
    .option('--xds-tls-dir <dir>', 'mutual TLS with tls.crt, tls.key and ca.crt from this folder (e.g. a cert-manager Secret), reloaded when they change')
    .option('--xds-plaintext', 'cluster: serve xDS in plain text, without client authentication (standalone does unless --xds-tls-dir is given)')
    .option('--xds-service <name>', 'cluster: the operator Service clients dial; its DNS names go in the xDS server certificate', 'portico')
    .option('--xds-server-names <names>', 'cluster: comma-separated DNS names or IP addresses for the xDS server certificate instead of the Service\'s and loopback')
    .option('--controller-name <name>', 'serve only IngressClasses whose spec.controller is this; give each install in a cluster its own', CONTROLLER_NAME)
    .option('--ingress-classes <names>', 'comma-separated: of those classes, serve only these')
    .option('--xds-secret-prefix <prefix>', 'cluster: the xDS Secrets are <prefix>-xds-ca and <prefix>-xds-client-<fleet>; give each install in a namespace its own', DEFAULT_SECRET_PREFIX)
    .option('--admission-address <host:port>', 'cluster: serve the validating admission webhook (HTTPS, POST /validate) here; default 0.0.0.0:9443 with --in-cluster, else not served')
    .option('--no-admission', 'cluster: do not serve the admission webhook')
    .option('--admission-service <name>', 'cluster: the webhook Service; its DNS names go in the webhook certificate (default <xds-service>-admission)')
    .option('--admission-server-names <names>', 'cluster: comma-separated DNS names or IP addresses for the webhook certificate instead of the Service\'s and loopback')
    .option('--admission-webhook-configuration <name>', 'cluster: the ValidatingWebhookConfiguration whose caBundle the leader keeps (default <xds-service>-admission)')
    .option('--xds-write-timeout-ms <ms>', 'reset an xDS stream whose response is not read within this many ms (1 to 2147483647), so a client that stopped reading gives back what it holds', String(DEFAULT_WRITE_TIMEOUT_MS))
    .option('--settle-ms <ms>', 'standalone: how long changed files must stay unchanged before they are used (0 when every writer renames files into place, as ConfigMap volumes do)', '300')
    .action(async (options: ServeOptions) => {
      const clusterMode = Boolean(options.kubeconfig || options.inCluster || (!options.manifests && process.env['KUBERNETES_SERVICE_HOST']));
      if (options.manifests && clusterMode) throw new Error('--manifests cannot be combined with --kubeconfig or --in-cluster');
      if (!options.manifests && !clusterMode) throw new Error('say where the configuration comes from: --manifests <dir>, or --kubeconfig <path> / --in-cluster');
      const logger = createLogger({ level: isLogLevel(options.logLevel) ? options.logLevel : 'info' });
      parseOwnership(options);
      // Refused before anything is logged or started, like every other bad flag.
      const xdsServer = xdsServerOptions(options);
      const hangup = onHangup(logger);
      const running = options.manifests ? await serveManifests(options.manifests, options, xdsServer, logger) : await serveCluster(options, xdsServer, logger);
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

async function serveManifests(manifests: string, options: ServeOptions, xdsServer: XdsServerTuning, logger: ReturnType<typeof createLogger>): Promise<Running> {
  if (!isDirectory(manifests)) throw new Error(`--manifests ${manifests}: not a folder`);
  const settleMs = wholeMilliseconds('--settle-ms', options.settleMs, 0);
  if (options.xdsPlaintext && options.xdsTlsDir) throw new Error('--xds-plaintext and --xds-tls-dir contradict each other');
  const xdsTls = options.xdsTlsDir ? { kind: 'files' as const, dir: options.xdsTlsDir } : { kind: 'plaintext' as const };
  if (xdsTls.kind === 'plaintext') warnIfPlaintextReachable(options.xdsAddress, logger);
  const ownership = parseOwnership(options);
  const standalone = await startStandalone({ manifests, xdsAddress: options.xdsAddress, healthAddress: options.healthAddress, logger, quietMs: settleMs, xdsTls, ownership, xdsServer });
  process.stdout.write(
    connectionHelp({
      source: `manifests in ${manifests}`,
      controllerName: ownership.controllerName,
      plaintext: xdsTls.kind === 'plaintext',
      xdsAddress: withPort(options.xdsAddress, standalone.xdsPort),
      healthAddress: withPort(options.healthAddress, standalone.healthPort),
      fleets: standalone.fleets(),
      summaries: standalone.summaries(),
    }),
  );
  return standalone;
}

async function serveCluster(options: ServeOptions, xdsServer: XdsServerTuning, logger: ReturnType<typeof createLogger>): Promise<Running> {
  const statusAddress = parseAddressSource({
    ...(options.statusAddress ? { statusAddress: options.statusAddress } : {}),
    ...(options.envoyService ? { envoyService: options.envoyService } : {}),
  });
  if (!statusAddress) logger.warn('status.disabled', { hint: 'give --status-address or --envoy-service (or spec.statusAddress in IngressClassParameters) to write Ingress status' });
  const cluster = await startClusterMode({
    xdsTls: clusterXdsTls(options, logger),
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    xdsAddress: options.xdsAddress,
    healthAddress: options.healthAddress,
    logger,
    leaderElection: options.leaderElection ? { namespace: options.leaderElectionNamespace, name: options.leaderElectionName } : false,
    ...(statusAddress ? { statusAddress } : {}),
    ...clusterAdmission(options),
    ownership: parseOwnership(options),
    xdsServer,
  });
  process.stdout.write(
    connectionHelp({
      source: options.kubeconfig ? `the cluster of ${options.kubeconfig}` : 'the cluster (in-cluster configuration)',
      controllerName: options.controllerName,
      clientSecretPrefix: `${options.xdsSecretPrefix}-xds-client-`,
      plaintext: Boolean(options.xdsPlaintext),
      ...(options.xdsPlaintext || options.xdsTlsDir ? {} : { clientSecretsNamespace: options.leaderElectionNamespace }),
      xdsAddress: withPort(options.xdsAddress, cluster.xdsPort),
      healthAddress: withPort(options.healthAddress, cluster.healthPort),
      fleets: cluster.fleets(),
      summaries: cluster.server.fleets(),
    }),
  );
  return cluster;
}

/** The longest delay a Node.js timer keeps (2^31 - 1 ms, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the xDS server is tuned with, beyond its TLS (both modes). */
function xdsServerOptions(options: ServeOptions): XdsServerTuning {
  return { writeTimeoutMs: wholeMilliseconds('--xds-write-timeout-ms', options.xdsWriteTimeoutMs, 1) };
}

/**
 * A duration flag: digits only (Number() would take 1e3, 0x10 and spaces), and within what a
 * Node.js timer holds: setTimeout turns anything longer into 1 ms (a write deadline would then
 * reset every stream at once, a settle period end at once).
 */
function wholeMilliseconds(flag: string, value: string, min: number): number {
  const ms = /^[0-9]{1,10}$/.test(value) ? Number(value) : NaN;
  if (!(ms >= min && ms <= MAX_TIMER_MS)) throw new Error(`${flag} must be a whole number of milliseconds from ${min} to ${MAX_TIMER_MS}, not ${JSON.stringify(value)}`);
  return ms;
}

/** Cluster mode is mutual TLS unless told otherwise: the operator's own CA, or the given files. */
function clusterXdsTls(options: ServeOptions, logger: Logger): XdsTlsMode {
  if (options.xdsPlaintext && options.xdsTlsDir) throw new Error('--xds-plaintext and --xds-tls-dir contradict each other');
  if (options.xdsTlsDir) return { kind: 'files', dir: options.xdsTlsDir };
  if (options.xdsPlaintext) {
    logger.warn('xds.plaintext', { hint: 'any client that reaches the xDS port reads any fleet, Secrets included; restrict it with a NetworkPolicy' });
    return { kind: 'plaintext' };
  }
  const namespace = options.leaderElectionNamespace;
  const serverNames = options.xdsServerNames ? options.xdsServerNames.split(',').map((n) => n.trim()).filter(Boolean) : serviceNames(options.xdsService, namespace);
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.xdsSecretPrefix) || options.xdsSecretPrefix.length > 200) {
    throw new Error(`--xds-secret-prefix must be a lowercase DNS label such as portico, not ${JSON.stringify(options.xdsSecretPrefix)}`);
  }
  return { kind: 'ca-secret', namespace, serverNames, secretPrefix: options.xdsSecretPrefix };
}

/** The admission webhook: on by default in a pod (its Service targets 9443), opt-in elsewhere. */
function clusterAdmission(options: ServeOptions): { admission?: AdmissionOptions } {
  const inPod = Boolean(options.inCluster || (!options.kubeconfig && process.env['KUBERNETES_SERVICE_HOST']));
  const address = options.admissionAddress ?? (inPod ? '0.0.0.0:9443' : undefined);
  if (!options.admission || address === undefined) return {};
  const namespace = options.leaderElectionNamespace;
  const service = options.admissionService ?? `${options.xdsService}-admission`;
  const serverNames = options.admissionServerNames ? options.admissionServerNames.split(',').map((n) => n.trim()).filter(Boolean) : serviceNames(service, namespace);
  return {
    admission: {
      address,
      namespace,
      caSecret: `${options.xdsSecretPrefix}-xds-ca`,
      serverNames,
      webhookConfiguration: options.admissionWebhookConfiguration ?? `${options.xdsService}-admission`,
    },
  };
}

/** Standalone stays plain text; on anything but loopback that is worth a warning. */
function warnIfPlaintextReachable(address: string, logger: Logger): void {
  const host = address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  const fields = { address, hint: 'give --xds-tls-dir for mutual TLS (docs/xds.md, "Trust")' };
  if (loopback) logger.info('xds.plaintext', { ...fields, reason: 'standalone on loopback: plain text, no client authentication' });
  else logger.warn('xds.plaintext', { ...fields, reason: 'plain text beyond loopback: any client that reaches the port reads any fleet, Secrets included' });
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
