// What `portico serve` prints on stdout once it is up: where Envoy and gRPC clients connect.
import type { FleetSummary } from '../../../xds-server/src/index.js';
import { CONTROLLER_NAME } from '../translate/ingress-classes.js';
import { CLIENT_SECRET_PREFIX } from '../xds-identity/cluster-identity.js';
import type { ServedFleet } from './fleet-publication.js';

export interface ConnectionHelpInput {
  /** Where the configuration comes from, e.g. "manifests in examples/seed". */
  source: string;
  xdsAddress: string;
  healthAddress: string;
  fleets: ServedFleet[];
  summaries: FleetSummary[];
  /** xDS without TLS: bootstraps need --plaintext, and the banner says there is no authentication. */
  plaintext?: boolean;
  /** With the operator's own CA: where each fleet's client certificate Secret is (namespace). */
  clientSecretsNamespace?: string;
  /** What the client Secrets' names start with (portico-xds-client-). */
  clientSecretPrefix?: string;
  /** The IngressClass spec.controller this operator serves (portico.dev/ingress-controller). */
  controllerName?: string;
}

export function connectionHelp(input: ConnectionHelpInput): string {
  const transport = input.plaintext ? 'plain text, no client authentication' : 'mutual TLS, a client certificate per fleet';
  const lines = [
    `portico serve: xDS (ADS, Delta and state of the world; ${transport}) on ${input.xdsAddress}, configuration from ${input.source}`,
    `  IngressClasses served: those of controller ${input.controllerName ?? CONTROLLER_NAME}`,
  ];
  if (input.fleets.length === 0) {
    lines.push(`  no fleet yet: no IngressClass with controller ${input.controllerName ?? CONTROLLER_NAME} was found (see the log)`);
  }
  for (const { fleet, ingressClass } of input.fleets) {
    // A concrete node id: the bootstrap's default, $(POD_NAME), is expanded by Kubernetes only, so
    // an Envoy started from this line would otherwise report a literal placeholder. Each Envoy of
    // a fleet needs its own (NACKs are tracked per node): -1, -2, ...
    const bootstrap = `portico bootstrap --ingress-class ${fleet} --xds-address ${input.xdsAddress} --node-id ${localNodeId(fleet)}${input.plaintext ? ' --plaintext' : ''}`;
    const targets = input.summaries.find((s) => s.fleet === fleet)?.grpcTargets.filter((t) => !t.includes(':')) ?? [];
    lines.push(`  fleet ${fleet} (IngressClass ${ingressClass})`);
    if (input.plaintext) {
      lines.push(`    Envoy: ${bootstrap} > envoy.yaml && envoy -c envoy.yaml`);
    } else {
      // A TLS bootstrap comes with two SDS files, and reads the fleet's client certificate from --tls-dir.
      lines.push(`    Envoy: ${bootstrap} --output-dir envoy --tls-dir DIR && envoy -c envoy/envoy.yaml`);
      const secret = input.clientSecretsNamespace ? `Secret ${input.clientSecretsNamespace}/${input.clientSecretPrefix ?? CLIENT_SECRET_PREFIX}${fleet}` : 'the fleet\'s client certificate';
      lines.push(`           with tls.crt, tls.key and ca.crt of ${secret} in DIR`);
    }
    // grpc-js-xds accepts no client certificate for its xDS channel (docs/proxyless-grpc.md).
    if (input.plaintext) lines.push(`    gRPC:  export GRPC_XDS_BOOTSTRAP_CONFIG="$(${bootstrap} --grpc --any-host)"`);
    else lines.push('    gRPC:  proxyless clients need a TLS tunnel to this port (docs/xds.md, "Trust")');
    const examples = targets.length > 0 ? `, e.g. ${targets.map((t) => `xds:///${t}`).join(', ')}` : '';
    if (input.plaintext) lines.push(`           then dial xds:///HOST for any host the fleet routes${examples}`);
  }
  const health = `http://${input.healthAddress}`;
  lines.push(`  health: ${health}/healthz ${health}/readyz ${health}/metrics ${health}/debug/xds ${health}/debug/config_dump?fleet=FLEET`);
  return lines.join('\n') + '\n';
}

/** A node id for the first local Envoy of a fleet: plain characters, nothing a shell or Kubernetes would expand. */
export function localNodeId(fleet: string): string {
  return `${fleet}-local-1`;
}
