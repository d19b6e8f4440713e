// What one Ingress refers to, as `namespace/name` keys: the Services it may route to (path
// backends, spec.defaultBackend, and auth services named by a URL in an annotation, as auth-url
// does) and the TLS Secrets of spec.tls. Deliberately generous: a name listed here that the
// translation ends up not using only costs a rebuild that changes nothing; a name missed here
// would leave a change unseen.
import type { V1Ingress, V1IngressBackend } from '@kubernetes/client-node';

export interface IngressReferences {
  services: string[];
  secrets: string[];
}

/** An annotation value that is an absolute http(s) URL: its host may name an in-cluster Service. */
const URL_VALUE = /^\s*https?:\/\//i;

export function ingressReferences(ingress: V1Ingress): IngressReferences {
  // translate/ reads a missing namespace as "default" (backends.ts).
  const namespace = ingress.metadata?.namespace ?? 'default';
  const services = new Set<string>();
  const backend = (b: V1IngressBackend | undefined): void => {
    if (b?.service?.name) services.add(`${namespace}/${b.service.name}`);
  };
  backend(ingress.spec?.defaultBackend);
  for (const rule of ingress.spec?.rules ?? []) for (const path of rule.http?.paths ?? []) backend(path.backend);
  for (const value of Object.values(ingress.metadata?.annotations ?? {})) {
    const service = serviceOfUrl(value);
    if (service) services.add(service);
  }
  const secrets = new Set<string>();
  for (const tls of ingress.spec?.tls ?? []) if (tls.secretName) secrets.add(`${namespace}/${tls.secretName}`);
  return { services: [...services], secrets: [...secrets] };
}

/**
 * `svc.ns[.anything]` → `ns/svc`: the first two labels of a URL's host, which is how a pod (and
 * translate/auth-services.ts) names a Service of another namespace. A host that is no Service
 * name yields a key no Service has, which is harmless.
 */
export function serviceOfUrl(value: string): string | undefined {
  if (!URL_VALUE.test(value)) return undefined;
  let host: string;
  try {
    host = new URL(value.trim()).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  const [name, namespace] = host.split('.');
  return name && namespace ? `${namespace}/${name}` : undefined;
}
