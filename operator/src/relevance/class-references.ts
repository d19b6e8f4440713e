// What the classes themselves refer to, as their parameters were last translated: the default
// certificate's Secret and the Service whose load-balancer address goes into Ingress status
// (parameters' statusAddress, or the operator's flag). A change to a class or its parameters
// always rebuilds, and the rebuild refreshes this.
import type { AddressSource } from '../status/load-balancer-address.js';
import type { ClassParameters } from '../translate/parameters/resolve-class-parameters.js';

export interface ClassReferences {
  services: ReadonlySet<string>;
  secrets: ReadonlySet<string>;
}

export function classReferences(classes: readonly ClassParameters[], statusAddress?: AddressSource): ClassReferences {
  const services = new Set<string>();
  const secrets = new Set<string>();
  if (statusAddress?.kind === 'service') services.add(`${statusAddress.namespace}/${statusAddress.name}`);
  for (const resolved of classes) {
    if (!resolved.accepted) continue;
    const { statusAddress: address, tls } = resolved.parameters;
    if (address?.kind === 'service') services.add(`${address.namespace}/${address.name}`);
    const certificate = tls.defaultCertificate;
    if (certificate) secrets.add(`${certificate.namespace}/${certificate.name}`);
  }
  return { services, secrets };
}
