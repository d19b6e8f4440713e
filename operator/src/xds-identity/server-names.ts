// The names on the xDS server's certificate: what Envoys and gRPC clients dial and verify.
import { isIP } from 'node:net';

/**
 * The names the server certificate carries by default: the Service's DNS names, and loopback (an
 * operator run beside its Envoy, as `portico serve --kubeconfig` on a laptop, is dialled there;
 * whoever reaches loopback is on the same host anyway).
 */
export function serviceNames(service: string, namespace: string): string[] {
  return [`${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`, `${service}.${namespace}`, service, 'localhost', '127.0.0.1', '::1'];
}

/** Server names split as a certificate holds them: IP addresses are IP SANs, the rest DNS names. */
export function certificateNames(names: readonly string[]): { dnsNames: string[]; ipAddresses: string[] } {
  return { dnsNames: names.filter((name) => isIP(name) === 0), ipAddresses: names.filter((name) => isIP(name) !== 0) };
}
