// The CRDs in crds/ and the TypeScript reader must agree: the API server validates and defaults
// objects in a cluster, the reader does it for manifests. These tests keep the two in step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isEnvoyMinorRelease } from '../../../../xds-server/src/bootstrap/envoy-releases.js';
import { DURATION_PATTERN } from './durations.js';
import { ACCESS_LOG_FORMATS, DEFAULT_PARAMETERS_SPEC, MAX_RETRY_TRIES, REDIRECT_STATUS_CODES, RETRY_CONDITIONS, TLS_VERSIONS } from './parameters-spec.js';
import { BYTE_SIZE_PATTERN } from './quantities.js';
import { DNS_LABEL_PATTERN, DNS_SUBDOMAIN_PATTERN, FLEET_NAME_PATTERN, MAX_REQUEST_HEADERS_KIB, MAX_STATUS_ADDRESSES, MAX_TRUSTED_HOPS } from './read-parameters-spec.js';

const CRDS = join(import.meta.dirname, '..', '..', '..', '..', 'crds');

interface Schema {
  type?: string;
  default?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  pattern?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  'x-kubernetes-validations'?: Array<{ rule: string; message: string }>;
}

interface Crd {
  spec: { scope: string; names: { kind: string }; versions: Array<{ name: string; schema: { openAPIV3Schema: Schema }; subresources?: unknown; additionalPrinterColumns?: unknown }> };
}

function crd(file: string): Crd {
  return parse(readFileSync(join(CRDS, file), 'utf8')) as Crd;
}

const namespaced = crd('portico.dev_ingressclassparameters.yaml');
const clusterScoped = crd('portico.dev_clusteringressclassparameters.yaml');
const version = namespaced.spec.versions[0];
const spec = version?.schema.openAPIV3Schema.properties?.['spec'] ?? {};

/** The API server's structural defaulting, for objects: fill defaults, then recurse. */
function applyDefaults(schema: Schema, value: unknown): unknown {
  if (schema.type !== 'object' || typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (out[name] === undefined && property.default !== undefined) out[name] = structuredClone(property.default);
    if (out[name] !== undefined) out[name] = applyDefaults(property, out[name]);
  }
  return out;
}

function at(path: string): Schema {
  let schema: Schema | undefined = spec;
  for (const part of path.split('.')) schema = part === '[]' ? schema?.items : schema?.properties?.[part];
  if (!schema) throw new Error(`no schema at spec.${path}`);
  return schema;
}

describe('the IngressClassParameters CRDs', () => {
  it('are one namespaced and one cluster-scoped kind with identical versions', () => {
    expect([namespaced.spec.scope, namespaced.spec.names.kind]).toEqual(['Namespaced', 'IngressClassParameters']);
    expect([clusterScoped.spec.scope, clusterScoped.spec.names.kind]).toEqual(['Cluster', 'ClusterIngressClassParameters']);
    expect(clusterScoped.spec.versions).toEqual(namespaced.spec.versions);
    expect(version?.name).toBe('v1alpha1');
    expect(version?.subresources).toEqual({ status: {} });
  });

  it('default `spec: {}` to exactly the defaults the translator applies', () => {
    expect(applyDefaults(spec, {})).toEqual(DEFAULT_PARAMETERS_SPEC);
  });

  it('use the patterns, enums and ranges the translator checks', () => {
    for (const field of ['connect', 'request', 'requestHeaders', 'idle', 'streamIdle', 'backendIdle']) expect(at(`timeouts.${field}`).pattern).toBe(DURATION_PATTERN);
    expect(Object.keys(at('timeouts').properties ?? {}).sort()).toEqual(Object.keys(DEFAULT_PARAMETERS_SPEC.timeouts).sort());
    expect(at('retries.on.[]').enum).toEqual([...RETRY_CONDITIONS]);
    expect(at('retries.on').maxItems).toBe(RETRY_CONDITIONS.length);
    expect(at('retries.on')['x-kubernetes-validations']).toEqual([{ rule: 'self.all(c, self.exists_one(x, x == c))', message: 'must not list a condition twice' }]);
    expect([at('retries.tries').minimum, at('retries.tries').maximum]).toEqual([1, MAX_RETRY_TRIES]);
    expect(at('redirects.statusCode').enum).toEqual([...REDIRECT_STATUS_CODES]);
    expect(at('requestLimits.maxBodySize').pattern).toBe(BYTE_SIZE_PATTERN);
    expect(at('fleet').pattern).toBe(FLEET_NAME_PATTERN);
    expect(at('statusAddress.service.namespace').pattern).toBe(DNS_LABEL_PATTERN);
    expect(at('statusAddress.service.name').pattern).toBe(DNS_LABEL_PATTERN);
    expect(at('tls.defaultCertificate.namespace').pattern).toBe(DNS_LABEL_PATTERN);
    expect(at('tls.defaultCertificate.name').pattern).toBe(DNS_SUBDOMAIN_PATTERN);
    expect(at('accessLog.format').enum).toEqual([...ACCESS_LOG_FORMATS]);
    expect(at('tls.minimumVersion').enum).toEqual([...TLS_VERSIONS]);
    for (const release of ['1.0', '1.37', '1.100']) expect(new RegExp(at('envoy.version').pattern ?? '').test(release)).toBe(isEnvoyMinorRelease(release));
    for (const release of ['1.037', '2.1', '1.', 'v1.37', '1.37.2']) expect([new RegExp(at('envoy.version').pattern ?? '').test(release), isEnvoyMinorRelease(release)]).toEqual([false, false]);
    expect([at('requestLimits.maxRequestHeadersKiB').minimum, at('requestLimits.maxRequestHeadersKiB').maximum]).toEqual([1, MAX_REQUEST_HEADERS_KIB]);
    expect([at('clientIP.xffNumTrustedHops').minimum, at('clientIP.xffNumTrustedHops').maximum]).toEqual([0, MAX_TRUSTED_HOPS]);
    expect(at('statusAddress.addresses').maxItems).toBe(MAX_STATUS_ADDRESSES);
    for (const listener of ['http', 'https']) expect([at(`listeners.${listener}.port`).minimum, at(`listeners.${listener}.port`).maximum]).toEqual([1, 65535]);
  });
});
