// `portico translate`: the offline translator. Reads manifests, prints what each IngressClass's
// Envoy fleet would be served and every problem found: the translation's, and what `portico serve`
// reports once it publishes (validatePublication: resources and virtual hosts that break Envoy's
// validation rules, errors; routes the gRPC view leaves out, info). Exit 1 when some input could
// not be read at all; else 2 when a diagnostic is an error (a class held, a backend missing, a
// host Envoy's rules refuse...) unless --no-fail-on-error; else 0. Warnings and info never change
// the exit status. The resources printed are the translation's: a refused one is printed as made.
import type { Command } from 'commander';
import { Option } from 'commander';
import type { XdsProtocol } from '../../../xds-server/src/index.js';
import { XDS_PROTOCOLS } from '../../../xds-server/src/index.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { loadManifestsAsync } from '../sources/manifests/load-manifests.js';
import type { OutputFormat } from './translation-output.js';
import { validatePublication } from '../serve/fleet-publication.js';
import { renderDocument, translationDocument } from './translation-output.js';
import { formatDiagnostic } from './format-diagnostic.js';
import { CONTROLLER_NAME } from '../translate/ingress-classes.js';
import { parseOwnership } from './ownership-options.js';

/** The exit status of a translation with error-level diagnostics (1 is for unreadable input). */
export const EXIT_ERROR_DIAGNOSTICS = 2;

export interface TranslateOptions {
  filename: string[];
  output: OutputFormat;
  xdsProtocol: XdsProtocol;
  quiet?: boolean;
  showSecrets?: boolean;
  now?: string;
  controllerName: string;
  ingressClasses?: string;
  failOnError: boolean;
}

export function registerTranslateCommand(program: Command): void {
  program
    .command('translate')
    .description('print the Envoy configuration that manifests translate to, without a cluster')
    .requiredOption('-f, --filename <path>', 'a manifest file or folder (repeatable)', collect, [])
    .addOption(new Option('-o, --output <format>', 'output format').choices(['yaml', 'json']).default('yaml'))
    .addOption(new Option('--xds-protocol <protocol>', 'print what a client of this protocol receives: for delta, classes with spec.envoy.virtualHostDiscovery get route tables split into VirtualHost resources (VHDS)').choices([...XDS_PROTOCOLS]).default('sotw'))
    .option('-q, --quiet', 'do not repeat diagnostics on stderr')
    .option('--show-secrets', 'print the private keys of TLS Secrets (redacted by default; for local debugging only)')
    .option('--now <time>', 'judge certificates valid or expired at this RFC 3339 time instead of the current time')
    .option('--controller-name <name>', 'translate the IngressClasses whose spec.controller is this (as portico serve --controller-name)', CONTROLLER_NAME)
    .option('--ingress-classes <names>', 'comma-separated: of those classes, only these')
    .option('--no-fail-on-error', 'exit 0 even when a diagnostic is an error (by default such output exits 2)')
    .action(async (options: TranslateOptions) => {
      const status = await runTranslate(options, (text) => process.stdout.write(text), (text) => process.stderr.write(text));
      if (status !== 0) process.exitCode = status;
    });
}

/** Runs the command (bad --now or ownership options throw); returns its exit status. */
export async function runTranslate(options: TranslateOptions, out: (text: string) => void, err: (text: string) => void): Promise<number> {
  const now = options.now === undefined ? Date.now() : Date.parse(options.now);
  if (Number.isNaN(now)) throw new Error(`--now: ${JSON.stringify(options.now)} is not a time such as 2026-11-29T12:00:00Z`);
  const loaded = await loadManifestsAsync(options.filename);
  const ownership = parseOwnership(options);
  const config = buildEnvoyConfig(loaded.state, now, ownership);
  const document = translationDocument(config, loaded.problems, options.xdsProtocol, options.showSecrets === true);
  // What serve would also say once it publishes: what Envoy's validation rules refuse (errors),
  // routes proxyless gRPC clients do not get (info).
  document.diagnostics.push(...(validatePublication(config).problems ?? []));
  out(renderDocument(document, options.output));
  if (!options.quiet) for (const diagnostic of document.diagnostics) err(`${formatDiagnostic(diagnostic)}\n`);
  if (loaded.unreadable) return 1;
  if (options.failOnError && document.diagnostics.some((d) => d.severity === 'error')) return EXIT_ERROR_DIAGNOSTICS;
  return 0;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
