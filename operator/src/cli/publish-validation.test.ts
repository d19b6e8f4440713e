// `portico check` and `portico translate` judge what the xDS server would refuse, as `portico serve`
// does when it publishes: the same validation (the server's own publish), the same diagnostics in
// the same words, and check's verdict follows them. The translator makes nothing Envoy's rules
// refuse (golden tests check that), so a hand-made invalid resource is slipped in here: every
// virtual host whose name starts with "refused" loses its domains (VirtualHost.domains needs at
// least one), in the configuration the pipeline hands on.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { XdsServer } from '../../../xds-server/src/index.js';
import type * as Pipeline from '../pipeline.js';
import type { EnvoyConfig } from '../pipeline.js';
import { buildEnvoyConfig } from '../pipeline.js';
import { publishConfig } from '../serve/fleet-publication.js';
import { loadManifestsAsync } from '../sources/manifests/load-manifests.js';
import { runCheck } from './check-command.js';
import type { CheckReport } from './check-command-report.js';
import { runTranslate } from './translate-command.js';

vi.mock('../pipeline.js', async (importOriginal) => {
  const original = await importOriginal<typeof Pipeline>();
  // A factory runs before the file's imports: it imports what it uses itself.
  const { withRefusedVirtualHosts } = await import('../test-support/refused-virtual-hosts.js');
  return {
    ...original,
    buildEnvoyConfig: (...args: Parameters<typeof original.buildEnvoyConfig>): EnvoyConfig => withRefusedVirtualHosts(original.buildEnvoyConfig(...args), (host) => host.startsWith('refused')),
  };
});

function rule(host: string): string {
  return `{host: ${host}, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}`;
}

function ingress(name: string, ...hosts: string[]): string {
  return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: apps, creationTimestamp: "2024-01-01T00:00:00Z"}
spec:
  ingressClassName: portico
  rules: [${hosts.map(rule).join(', ')}]`;
}

const INPUT = [
  'apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: portico}\nspec: {controller: portico.dev/ingress-controller}',
  'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: apps}\nspec: {ports: [{port: 80}]}',
  ingress('refused', 'refused.example.com'),
  ingress('partly', 'refused-too.example.com', 'partly.example.com'),
  ingress('fine', 'fine.example.com'),
].join('\n---\n');

function inputFile(): string {
  const path = join(mkdtempSync(join(tmpdir(), 'portico-validation-')), 'input.yaml');
  writeFileSync(path, INPUT);
  return path;
}

/** What `portico serve` reports on publishing the same configuration, per object. */
async function servesProblems(path: string): Promise<Map<string, { severity: string; message: string }[]>> {
  const config = buildEnvoyConfig((await loadManifestsAsync([path])).state, Date.now());
  const byObject = new Map<string, { severity: string; message: string }[]>();
  for (const { object, severity, message } of publishConfig(new XdsServer(), config, []).problems ?? []) byObject.set(object, [...(byObject.get(object) ?? []), { severity, message }]);
  return byObject;
}

describe('Envoy validation in portico check and portico translate', () => {
  it("check reports a host serve would leave out, in serve's words, and judges the Ingress by it", async () => {
    const path = inputFile();
    let printed = '';
    const status = await runCheck({ filename: [path], output: 'json', controllerName: 'portico.dev/ingress-controller', adoptClass: [] }, (text) => (printed += text));
    const report = JSON.parse(printed) as CheckReport;
    const byName = (name: string): CheckReport['ingresses'][number] | undefined => report.ingresses.find((i) => i.name === name);

    const serve = await servesProblems(path);
    expect(serve.get('Ingress apps/refused')?.length).toBeGreaterThan(0);
    expect(byName('refused')?.diagnostics).toEqual(serve.get('Ingress apps/refused'));
    expect(byName('partly')?.diagnostics).toEqual(serve.get('Ingress apps/partly'));
    expect(byName('refused')?.diagnostics[0]).toEqual({
      severity: 'error',
      message: expect.stringMatching(/^the Envoy routeConfiguration \S+ made from this object cannot be served as it is: virtual host refused\.example\.com breaks Envoy's validation rules: domains: .*; it is left out$/),
    });

    // Its only host is left out: nothing of it is served. The other keeps a host: served, with errors.
    expect(byName('refused')?.verdict).toBe('not-served');
    expect(byName('refused')?.reasons).toEqual([expect.stringContaining("Envoy's validation rules refuse the configuration of its hosts")]);
    expect(byName('partly')?.verdict).toBe('served-with-errors');
    expect(byName('fine')).toMatchObject({ verdict: 'served', diagnostics: [] });
    expect(status).toBe(1);
  });

  it('translate reports the same errors and exits 2 for them, 0 with --no-fail-on-error', async () => {
    const path = inputFile();
    const options = { filename: [path], output: 'json' as const, xdsProtocol: 'sotw' as const, controllerName: 'portico.dev/ingress-controller' };
    let stdout = '';
    let stderr = '';
    const status = await runTranslate({ ...options, failOnError: true }, (text) => (stdout += text), (text) => (stderr += text));
    expect(status).toBe(2);
    const serve = await servesProblems(path);
    const expected = [...serve].flatMap(([object, problems]) => problems.map((p) => ({ object, ...p })));
    expect(expected.filter((d) => d.severity === 'error').length).toBeGreaterThan(0);
    const document = JSON.parse(stdout) as { diagnostics: { object: string; severity: string; message: string }[] };
    expect(document.diagnostics).toEqual(expect.arrayContaining(expected));
    expect(stderr).toContain("error: Ingress apps/refused: the Envoy routeConfiguration");

    expect(await runTranslate({ ...options, failOnError: false, quiet: true }, () => undefined, () => undefined)).toBe(0);
  });
});
