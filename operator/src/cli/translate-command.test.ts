// `portico translate` as a user runs it: a real child process, real files, exit codes and stderr.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const MAIN = join(import.meta.dirname, 'main.ts');
const SEED = join(import.meta.dirname, '..', '..', '..', 'examples', 'seed');
const VHDS_CASE = join(import.meta.dirname, '..', '..', '..', 'testdata', 'golden', 'virtual-host-discovery', 'input.yaml');

function portico(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, ...args], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'portico-cli-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('portico translate', () => {
  it('prints the seed scenario as proto3 JSON with @type on every Any', () => {
    const result = portico('translate', '-f', SEED, '-o', 'json');
    expect(result.status).toBe(0);
    const document = JSON.parse(result.stdout) as { ingressClasses: Record<string, { listeners: Array<{ filter_chains: Array<{ filters: Array<{ typed_config: Record<string, unknown> }> }> }> }>; diagnostics: unknown[] };
    expect(Object.keys(document.ingressClasses)).toEqual(['nginx']);
    const hcm = document.ingressClasses['nginx']?.listeners[0]?.filter_chains[0]?.filters[0]?.typed_config;
    expect(hcm?.['@type']).toBe('type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager');
    expect(hcm?.['stream_idle_timeout']).toBe('300s');
    expect(document.diagnostics).toEqual([]);
  });

  it('prints YAML by default, identical in content to the JSON', () => {
    const yaml = portico('translate', '-f', SEED);
    const json = portico('translate', '-f', SEED, '-o', 'json');
    expect(yaml.status).toBe(0);
    expect(parse(yaml.stdout)).toEqual(JSON.parse(json.stdout));
  });

  it('prints what Delta clients get with --xds-protocol delta: whole route tables, split into VirtualHost resources only where a class has VHDS', () => {
    type Fleet = { routeConfigurations: Array<Record<string, unknown>>; virtualHosts?: Array<{ name: string }> };
    const plain = portico('translate', '-f', SEED, '-o', 'json', '--xds-protocol', 'delta');
    expect(plain.status).toBe(0);
    const seed = (JSON.parse(plain.stdout) as { ingressClasses: Record<string, Fleet> }).ingressClasses['nginx'];
    expect(seed?.routeConfigurations[0]).toHaveProperty('virtual_hosts');
    expect(seed?.virtualHosts).toBeUndefined();

    const result = portico('translate', '-f', VHDS_CASE, '-o', 'json', '--xds-protocol', 'delta');
    const split = (JSON.parse(result.stdout) as { ingressClasses: Record<string, Fleet> }).ingressClasses['split'];
    expect(split?.routeConfigurations?.map(({ name, vhds, virtual_hosts }) => ({ name, vhds, virtual_hosts }))).toEqual([{ name: 'http', vhds: { config_source: { ads: {}, resource_api_version: 'V3' } }, virtual_hosts: undefined }]);
    expect(split?.virtualHosts?.map((v) => v.name)).toEqual(['http/a.example.com', 'http/b.example.com']);
    expect(portico('translate', '-f', SEED, '--xds-protocol', 'incremental').stderr).toMatch(/--xds-protocol.*incremental.*(sotw|delta)/s);
  });

  it('names a file that is not YAML, exits 1, and prints no stack trace', () => {
    const broken = tempFile('broken.yaml', 'kind: Ingress\nmetadata: {name: [oops\n');
    const result = portico('translate', '-f', broken, '-f', SEED);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`error: ${broken}: not valid YAML at line`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // The readable inputs are still translated.
    expect(Object.keys((parse(result.stdout) as { ingressClasses: object }).ingressClasses)).toEqual(['nginx']);
  });

  it('names a path that does not exist and exits 1', () => {
    const result = portico('translate', '-f', '/nonexistent/manifests');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('error: /nonexistent/manifests: cannot read: no such file or directory');
  });

  it('warns about an unknown kind and an Ingress naming a missing Service: an error, so exit 2 (0 with --no-fail-on-error)', () => {
    const input = tempFile(
      'mixed.yaml',
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
---
apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: portico}
spec: {controller: portico.dev/ingress-controller}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: shop}
spec:
  ingressClassName: portico
  defaultBackend: {service: {name: missing, port: {number: 80}}}
`,
    );
    const result = portico('translate', '-f', input, '-o', 'json');
    expect(result.status).toBe(2);
    expect(portico('translate', '-f', input, '-o', 'json', '-q', '--no-fail-on-error').status).toBe(0);
    expect(result.stderr).toContain(`warning: ${input} (document 1): kind Deployment (apps/v1) is not read by Portico; ignored`);
    expect(result.stderr).toContain('error: Ingress shop/web: spec.defaultBackend.service.name: Service shop/missing not found; requests get 503 until it exists');
  });

  it('exits 0 with warnings only, and translates only the classes of --controller-name (and --ingress-classes)', () => {
    const classes = (controller: string, name: string): string =>
      `apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: ${name}}\nspec: {controller: ${controller}}\n---\n`;
    const input = tempFile('two-installs.yaml', classes('portico.dev/ingress-controller', 'one') + classes('portico.dev/two', 'two') + classes('portico.dev/two', 'three') + 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n');
    const keys = (...args: string[]): { status: number | null; classes: string[] } => {
      const result = portico('translate', '-f', input, '-o', 'json', '-q', ...args);
      return { status: result.status, classes: Object.keys((JSON.parse(result.stdout) as { ingressClasses: object }).ingressClasses) };
    };
    expect(keys()).toEqual({ status: 0, classes: ['one'] });
    expect(keys('--controller-name', 'portico.dev/two')).toEqual({ status: 0, classes: ['three', 'two'] });
    expect(keys('--controller-name', 'portico.dev/two', '--ingress-classes', 'two')).toEqual({ status: 0, classes: ['two'] });
    const bad = portico('translate', '-f', input, '--controller-name', 'not a name');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('--controller-name must be a domain-prefixed path');
  });

  it('tells (info, exit 0) the routes proxyless gRPC clients do not get, as portico serve does: an app-root redirect', () => {
    const input = tempFile(
      'app-root.yaml',
      `apiVersion: networking.k8s.io/v1
kind: IngressClass
metadata: {name: portico}
spec: {controller: portico.dev/ingress-controller}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec: {ports: [{name: http, port: 80}]}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: storefront
  namespace: shop
  annotations: {nginx.ingress.kubernetes.io/app-root: /home}
spec:
  ingressClassName: portico
  rules:
    - host: shop.example.com
      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
`,
    );
    const warning = 'info: Ingress shop/storefront: route shop/storefront/app-root (host shop.example.com) is left out for proxyless gRPC clients: gRPC does not support redirects; Envoy still serves it';
    const result = portico('translate', '-f', input, '-o', 'json');
    // Info, not an error: the exit status stays 0.
    expect(result.status).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([warning]);
    const document = JSON.parse(result.stdout) as { ingressClasses: Record<string, { routeConfigurations: Array<{ virtual_hosts: Array<{ routes: Array<{ name: string; redirect?: object }> }> }> }>; diagnostics: unknown[] };
    expect(document.diagnostics).toEqual([
      {
        object: 'Ingress shop/storefront',
        severity: 'info',
        message: 'route shop/storefront/app-root (host shop.example.com) is left out for proxyless gRPC clients: gRPC does not support redirects; Envoy still serves it',
      },
    ]);
    // The printed Envoy view is unchanged: Envoy still gets the redirect.
    const routes = document.ingressClasses['portico']?.routeConfigurations[0]?.virtual_hosts[0]?.routes ?? [];
    expect(routes.find((r) => r.name === 'shop/storefront/app-root')?.redirect).toBeDefined();
    // Also with --xds-protocol delta (one server serves a fleet's Envoys and gRPC clients), and -q only silences stderr.
    expect(portico('translate', '-f', input, '--xds-protocol', 'delta').stderr.trim()).toBe(warning);
    const quiet = portico('translate', '-f', input, '-o', 'json', '-q');
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('');
    expect((JSON.parse(quiet.stdout) as { diagnostics: unknown[] }).diagnostics).toHaveLength(1);
  });

  it('rejects an unknown output format with a usage message', () => {
    const result = portico('translate', '-f', SEED, '-o', 'xml');
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("error: option '-o, --output <format>' argument 'xml' is invalid");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
