// `portico check`: before moving Ingresses to Portico (or at any time), says for each Ingress how
// Portico treats every annotation it carries, what the real translation reports about it, and
// whether it would be served. Reads manifests (-f, as `portico translate`) or a live cluster
// (read-only LISTs). Exit status: 0 when everything would be served as written (warnings allowed),
// 1 when an Ingress would not be served or has an error, 2 on a usage or input error.
// `--annotations` prints the annotation catalog instead (docs/annotations.md is generated from it).
import type { Command } from 'commander';
import { CommanderError, Option } from 'commander';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { loadManifestsAsync } from '../sources/manifests/load-manifests.js';
import type { ClusterState, V1IngressClass } from '../store/cluster-state.js';
import { PARAMETERS_GROUP } from '../store/parameters-objects.js';
import { CONTROLLER_NAME } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import { annotationsJson, annotationsMarkdown, annotationsText } from './check-command-annotations.js';
import { CheckInputError, contextNamespace, loadKubeConfig, readClusterState } from './check-command-cluster.js';
import { checkState, hasProblems } from './check-command-report.js';
import type { CheckDocument, CheckSource } from './check-command-render.js';
import { renderJson, renderText } from './check-command-render.js';
import { parseOwnership } from './ownership-options.js';

/** Everything would be served as written (warnings allowed). */
export const EXIT_SERVED = 0;
/** Some Ingress would not be served, or has an error (or another object does). */
export const EXIT_NOT_SERVED = 1;
/** The command could not judge: bad options, unreadable files, a cluster it cannot list. */
export const EXIT_USAGE = 2;

interface CheckOptions {
  filename: string[];
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  allNamespaces?: boolean;
  output: 'text' | 'json' | 'markdown';
  now?: string;
  controllerName: string;
  ingressClasses?: string;
  adoptClass: string[];
  annotations?: boolean;
}

export function registerCheckCommand(program: Command): void {
  program
    .command('check')
    .description('say, per Ingress, how Portico treats each annotation and whether it would be served (from files or a cluster)')
    .option('-f, --filename <path>', 'a manifest file or folder (repeatable); without it, the cluster of the kubeconfig is read', collect, [])
    .option('--kubeconfig <path>', 'the kubeconfig to read the cluster with (default: KUBECONFIG, ~/.kube/config, or in-cluster)')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('-n, --namespace <namespace>', "check the Ingresses of this namespace (cluster default: the context's namespace)")
    .option('-A, --all-namespaces', 'check the Ingresses of every namespace')
    .addOption(new Option('-o, --output <format>', 'text for people, json for scripts; markdown only with --annotations').choices(['text', 'json', 'markdown']).default('text'))
    .option('--now <time>', 'judge certificates valid or expired at this RFC 3339 time instead of the current time')
    .option('--controller-name <name>', 'judge the IngressClasses whose spec.controller is this as Portico\'s', CONTROLLER_NAME)
    .option('--ingress-classes <names>', 'comma-separated: of those classes, only these')
    .option('--adopt-class <name>', "judge this IngressClass's Ingresses as if the class were recreated with Portico's controller (before a migration; repeatable)", collect, [])
    .option('--annotations', 'print the annotation catalog: every ingress-nginx annotation Portico knows and how far it honours it')
    // Usage errors exit 2 here (commander's default is 1, which means "not served" for this command).
    .exitOverride((error) => {
      throw error.exitCode === 0 ? error : new CommanderError(EXIT_USAGE, error.code, error.message);
    })
    .action(async (options: CheckOptions) => {
      try {
        process.exitCode = await runCheck(options, (text) => process.stdout.write(text));
      } catch (error) {
        if (!(error instanceof CheckInputError)) throw error;
        process.stderr.write(`portico check: ${error.message}\n`);
        process.exitCode = EXIT_USAGE;
      }
    });
}

/** Runs the command; returns its exit status. */
export async function runCheck(options: CheckOptions, write: (text: string) => void): Promise<number> {
  if (options.annotations) {
    write(options.output === 'json' ? annotationsJson() : options.output === 'markdown' ? annotationsMarkdown() : annotationsText());
    return EXIT_SERVED;
  }
  if (options.output === 'markdown') throw new CheckInputError('-o markdown is for --annotations only');
  if (options.namespace !== undefined && options.allNamespaces) throw new CheckInputError('--namespace and --all-namespaces exclude each other');
  const fromFiles = options.filename.length > 0;
  if (fromFiles && (options.kubeconfig !== undefined || options.context !== undefined)) throw new CheckInputError('-f reads files; --kubeconfig and --context read a cluster: use one or the other');
  const now = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (Number.isNaN(now)) throw new CheckInputError(`--now: ${JSON.stringify(options.now)} is not a time such as 2026-11-29T12:00:00Z`);
  let ownership: ClassOwnership;
  try {
    ownership = parseOwnership(options);
  } catch (error) {
    throw new CheckInputError(error instanceof Error ? error.message : String(error));
  }

  let state: ClusterState;
  let inputProblems: Diagnostic[];
  let source: CheckSource;
  let namespace: string | undefined;
  const notes: string[] = [];
  let unreadable = false;
  if (fromFiles) {
    const loaded = await loadManifestsAsync(options.filename);
    state = loaded.state;
    inputProblems = loaded.problems;
    unreadable = loaded.unreadable;
    namespace = options.namespace;
    source = { kind: 'files', paths: options.filename };
  } else {
    const kc = loadKubeConfig(options);
    namespace = options.allNamespaces ? undefined : (options.namespace ?? contextNamespace(kc));
    const read = await readClusterState(kc, namespace);
    state = read.state;
    inputProblems = read.problems;
    notes.push(...read.notes);
    source = { kind: 'cluster', context: read.context, server: read.server, namespace: namespace ?? null };
  }
  if (options.adoptClass.length > 0) {
    const adopted = adoptClasses(state, options.adoptClass, ownership);
    state = adopted.state;
    ownership = adopted.ownership;
    notes.push(...adopted.notes);
  }
  const report = checkState(state, { now, ownership, inputProblems, ...(namespace !== undefined ? { namespace } : {}) });
  const document: CheckDocument = { ...report, source, notes };
  write(options.output === 'json' ? renderJson(document) : renderText(document));
  if (unreadable) return EXIT_USAGE;
  return hasProblems(report) ? EXIT_NOT_SERVED : EXIT_SERVED;
}

/**
 * The state as it will be once each named class is recreated with Portico's controller (what a
 * migration does: docs/migrating-from-ingress-nginx.md). A class that does not exist (Ingresses
 * naming it by the legacy annotation only) is created; parameters of another API group are
 * dropped, since Portico would hold a class that refers to them.
 */
export function adoptClasses(state: ClusterState, names: readonly string[], ownership: ClassOwnership): { state: ClusterState; ownership: ClassOwnership; notes: string[] } {
  const notes: string[] = [];
  const classes = [...state.ingressClasses];
  for (const name of new Set(names)) {
    const index = classes.findIndex((c) => c.metadata?.name === name);
    const existing = classes[index];
    if (!existing) {
      classes.push({ apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name }, spec: { controller: ownership.controllerName } });
      notes.push(`IngressClass ${name} does not exist; judged as if it were created with controller ${ownership.controllerName} and no parameters`);
      continue;
    }
    const spec: NonNullable<V1IngressClass['spec']> = { ...existing.spec, controller: ownership.controllerName };
    let dropped = '';
    if (spec.parameters && spec.parameters.apiGroup !== PARAMETERS_GROUP) {
      dropped = ` (its parameters, ${spec.parameters.kind} of ${spec.parameters.apiGroup ?? 'the core group'}, are not Portico's: judged without them)`;
      delete spec.parameters;
    }
    classes[index] = { ...existing, spec };
    notes.push(`IngressClass ${name} (controller ${existing.spec?.controller ?? '(none)'}) is judged as if recreated with controller ${ownership.controllerName}${dropped}`);
  }
  const adoptedOwnership: ClassOwnership = ownership.classes === undefined ? ownership : { ...ownership, classes: [...new Set([...ownership.classes, ...names])] };
  return { state: { ...state, ingressClasses: classes }, ownership: adoptedOwnership, notes };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
