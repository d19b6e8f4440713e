// `portico bootstrap`: prints the bootstrap an Envoy of a fleet starts with (YAML), or with
// --grpc the JSON a proxyless gRPC client reads from GRPC_XDS_BOOTSTRAP(_CONFIG). The xDS channel
// is mutual TLS unless --plaintext: the Envoy bootstrap then reads its client certificate through
// two SDS files, which --output-dir writes beside it (xds-server/src/bootstrap/xds-tls.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { XdsAddress, XdsClientTls, XdsProtocol } from '../../../xds-server/src/index.js';
import { clientCertificateSds, ENVOY_BOOTSTRAP_DEFAULTS, envoyBootstrap, grpcBootstrap, parseXdsAddress, SDS_FILES, toProto3Json, trustedCaSds, XDS_CLIENT_TLS_DEFAULTS, XDS_PROTOCOLS } from '../../../xds-server/src/index.js';

interface BootstrapOptions {
  ingressClass: string;
  xdsAddress: string;
  nodeId: string;
  adminPort: string;
  maxHeapBytes: string;
  maxConnections: string;
  xdsProtocol: string;
  grpc?: boolean;
  anyHost?: boolean;
  plaintext?: boolean;
  tlsDir: string;
  sdsDir: string;
  outputDir?: string;
}

// Kubernetes expands $(VAR) in container args and env values, never inside files.
const NODE_ID_DEFAULT = '$(POD_NAME)';

export function registerBootstrapCommand(program: Command): void {
  program
    .command('bootstrap')
    .description("print the Envoy bootstrap for an IngressClass's fleet (or, with --grpc, a gRPC xDS client bootstrap)")
    .requiredOption('--ingress-class <name>', 'the fleet: Envoys send it as node.cluster')
    .requiredOption('--xds-address <host:port>', "Portico's xDS address, e.g. portico.portico-system.svc:18000")
    .option('--node-id <id>', 'node.id; unique per Envoy (NACKs are tracked per node)', NODE_ID_DEFAULT)
    .option('--admin-port <port>', 'Envoy admin port, bound to 127.0.0.1 only', String(ENVOY_BOOTSTRAP_DEFAULTS.adminPort))
    .option('--max-heap-bytes <bytes>', 'heap at which the overload manager sheds load (match the memory limit)', String(ENVOY_BOOTSTRAP_DEFAULTS.maxHeapBytes))
    .option('--max-connections <n>', 'downstream connections Envoy accepts in total', String(ENVOY_BOOTSTRAP_DEFAULTS.maxDownstreamConnections))
    .option('--xds-protocol <delta|sotw>', 'ADS variant Envoy speaks (gRPC clients always use sotw)', 'delta')
    .option('--grpc', 'print a proxyless gRPC client bootstrap (JSON) instead')
    .option('--any-host', 'with --grpc: resolve every target through the fleet\'s catch-all routes, as Envoy would')
    .option('--plaintext', 'no TLS to Portico: only for `portico serve --manifests` on loopback')
    .option('--tls-dir <dir>', "where the fleet's client Secret (tls.crt, tls.key, ca.crt) is mounted", XDS_CLIENT_TLS_DEFAULTS.tlsDir)
    .option('--sds-dir <dir>', 'where Envoy finds the bootstrap and its two SDS files (the bootstrap ConfigMap\'s mount)', XDS_CLIENT_TLS_DEFAULTS.sdsDir)
    .option('--output-dir <dir>', `write envoy.yaml and, with TLS, ${SDS_FILES.certificate} and ${SDS_FILES.trustedCa} there instead of printing`)
    .action((options: BootstrapOptions) => {
      const xds = parseXdsAddress(options.xdsAddress);
      const xdsProtocol = parseXdsProtocol(options.xdsProtocol);
      const tls: XdsClientTls | false = options.plaintext ? false : { tlsDir: options.tlsDir, sdsDir: options.sdsDir };
      if (options.grpc) {
        // gRPC xDS clients speak only state of the world: --xds-protocol applies to Envoy only.
        const bootstrap = grpcBootstrap({ fleet: options.ingressClass, xds, nodeId: options.nodeId, anyHost: options.anyHost ?? false, tls });
        if (tls) process.stderr.write('note: channel_creds "tls" (gRFC A65) is read by grpc-go, grpc-java and C-core; @grpc/grpc-js-xds 1.14 refuses it: use --plaintext through a TLS tunnel (docs/xds.md)\n');
        process.stdout.write(JSON.stringify(bootstrap, null, 2) + '\n');
        return;
      }
      const bootstrap = envoyBootstrap({
        fleet: options.ingressClass,
        xds,
        nodeId: options.nodeId,
        xdsProtocol,
        adminPort: positiveInteger('--admin-port', options.adminPort),
        maxHeapBytes: positiveInteger('--max-heap-bytes', options.maxHeapBytes),
        maxDownstreamConnections: positiveInteger('--max-connections', options.maxConnections),
        tls,
      });
      const yaml = envoyBootstrapYaml(bootstrap, options.nodeId === NODE_ID_DEFAULT);
      if (!options.outputDir) {
        process.stdout.write(yaml);
        return;
      }
      mkdirSync(options.outputDir, { recursive: true });
      for (const [name, content] of Object.entries({ 'envoy.yaml': yaml, ...(tls ? sdsFiles(xds, tls) : {}) })) writeFileSync(join(options.outputDir, name), content);
    });
}

/** The SDS files a TLS bootstrap reads, by file name: they go beside it (in its ConfigMap). */
export function sdsFiles(xds: XdsAddress, tls: XdsClientTls): Record<string, string> {
  const header = (what: string): string => `# ${what} for the xDS connection, read by Envoy through SDS (generated by portico bootstrap).\n`;
  return {
    [SDS_FILES.certificate]: header(`The client certificate in ${tls.tlsDir}`) + stringify(clientCertificateSds(tls)),
    [SDS_FILES.trustedCa]: header(`The CA (${tls.tlsDir}/ca.crt) and server name`) + stringify(trustedCaSds(xds, tls)),
  };
}

export function envoyBootstrapYaml(bootstrap: ReturnType<typeof envoyBootstrap>, podNameDefault: boolean): string {
  const header = [
    `# Envoy bootstrap for fleet "${bootstrap.node?.cluster ?? ''}", generated by portico bootstrap.`,
    '# Everything else (listeners, routes, clusters, endpoints) arrives over ADS from Portico.',
    ...(tlsOf(bootstrap)
      ? [
          `# mutual TLS to Portico: ${SDS_FILES.certificate} and ${SDS_FILES.trustedCa} (portico bootstrap --output-dir) beside this file,`,
          "# and the fleet's client Secret (portico-xds-client-<fleet>) mounted where they say.",
        ]
      : ['# plain text to Portico (--plaintext): for a Portico on loopback only.']),
    ...(podNameDefault
      ? [
          '# node.id is $(POD_NAME): Kubernetes expands it in container args, not in files. Run',
          '#   envoy -c bootstrap.yaml --service-node $(POD_NAME)      (args; --service-node sets node.id)',
          '# or pass --node-id when generating this file.',
        ]
      : []),
  ];
  return `${header.join('\n')}\n${stringify(toProto3Json('envoy.config.bootstrap.v3.Bootstrap', bootstrap))}`;
}

function tlsOf(bootstrap: ReturnType<typeof envoyBootstrap>): boolean {
  return bootstrap.static_resources?.clusters?.some((c) => c.transport_socket) ?? false;
}

export function parseXdsProtocol(value: string): XdsProtocol {
  const protocol = XDS_PROTOCOLS.find((p) => p === value);
  if (!protocol) throw new Error(`--xds-protocol must be one of ${XDS_PROTOCOLS.join(', ')}, got "${value}"`);
  return protocol;
}

function positiveInteger(flag: string, value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return number;
}
