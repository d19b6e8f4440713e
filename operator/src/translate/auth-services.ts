// auth-url → the cluster Envoy asks. The URL's host must name an in-cluster Service, as a pod
// would resolve it (`svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`); the URL's port is a port
// of that Service. The auth service is then a cluster like any backend, its endpoints over EDS,
// spoken to in HTTP/1.1 (TLS for https URLs, unverified, as nginx's proxy_pass to an https URL).
import type { IrExternalAuth } from '../ir/types.js';
import type { ExternalAuthOptions } from './annotations/auth.js';
import type { BackendResolver } from './backends.js';
import type { ClusterTable } from './clusters.js';

const CLUSTER_SUFFIX = '.svc.cluster.local';
const SVC_SUFFIX = '.svc';

/** The Service a host names, or undefined when it is not written as an in-cluster Service name. */
export function serviceOfHost(host: string): { namespace: string; name: string } | undefined {
  const bare = host.endsWith(CLUSTER_SUFFIX) ? host.slice(0, -CLUSTER_SUFFIX.length) : host.endsWith(SVC_SUFFIX) ? host.slice(0, -SVC_SUFFIX.length) : host;
  const labels = bare.split('.');
  if (labels.length !== 2) return undefined;
  const [name = '', namespace = ''] = labels;
  return name !== '' && namespace !== '' ? { namespace, name } : undefined;
}

/**
 * The route policy's externalAuth, or why the auth service cannot be used (the Ingress is then
 * closed). A Service that does not exist (yet) still gets its cluster, with no endpoints: every
 * request is then refused with 500 until it appears, never let through.
 */
export function resolveAuthService(options: ExternalAuthOptions, resolver: BackendResolver, clusters: ClusterTable, report: (message: string) => void): { auth: IrExternalAuth } | { error: string } {
  const { url } = options;
  const service = serviceOfHost(url.host);
  if (!service) {
    return { error: `the host ${url.host} is not an in-cluster Service name (svc.namespace, svc.namespace.svc or svc.namespace.svc.cluster.local); Portico can only ask auth services inside the cluster` };
  }
  const resolved = resolver.resolve(service.namespace, { service: { name: service.name, port: { number: url.port } } });
  if (resolved.problem) report(`the auth service: ${resolved.problem.replace(/^service\.(name|port\.number): /, '').replace('requests get 503', 'requests are refused with 500')}`);
  // nginx talks HTTP/1.1 to the auth service whatever the Service port's appProtocol says.
  const settings = url.scheme === 'https' ? { protocol: 'http1' as const, tls: {} } : { protocol: 'http1' as const, tls: undefined };
  // No service-upstream here, so choose has nothing of an annotation to report.
  const cluster = clusters.choose(resolved, { settings, serviceUpstream: false }, (annotation, message) => report(`${annotation}: ${message}`));
  const auth: IrExternalAuth = { cluster, url: url.url, pathPrefix: url.path, responseHeaders: options.responseHeaders };
  if (options.requestRedirect !== undefined) auth.requestRedirect = options.requestRedirect;
  return { auth };
}
