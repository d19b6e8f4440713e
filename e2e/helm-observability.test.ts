// The chart's monitoring pieces, rendered by a real helm: the ServiceMonitor and the Grafana
// dashboard ConfigMap are off by default and render when asked, the ServiceMonitor selects the
// operator Service's metrics port, and every series the dashboard queries is one the operator
// exports (so a renamed metric cannot leave an empty panel behind).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { CertificateExpiryMetric } from '../operator/src/serve/certificate-expiry.js';
import { XdsServer } from '../xds-server/src/index.js';
import { MetricsRegistry, silentLogger } from '../observability/src/index.js';
import { OperatorMetrics } from '../operator/src/serve/operator-metrics.js';
import { ensureHelm, helmTemplate } from './harness/helm.js';
import { REPO_ROOT } from './support/portico-process.js';

const CHART = join(REPO_ROOT, 'charts', 'portico');
type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: unknown; data?: Record<string, string> };

let helm: string;
beforeAll(async () => {
  helm = await ensureHelm();
}, 600_000);

async function render(...set: string[]): Promise<Manifest[]> {
  const text = await helmTemplate(helm, ['portico', CHART, '--namespace', 'portico-system', '--kube-version', '1.35.0', ...set.flatMap((s) => ['--set', s])]);
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as Manifest | null)
    .filter((o): o is Manifest => o !== null);
}

describe('charts/portico monitoring', () => {
  it('renders no ServiceMonitor and no dashboard by default', async () => {
    const objects = await render();
    expect(objects.filter((o) => o.kind === 'ServiceMonitor')).toEqual([]);
    expect(objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.endsWith('grafana-dashboard'))).toBeUndefined();
  });

  it("renders a ServiceMonitor for the operator Service's metrics port, and the dashboard for the Grafana sidecar", async () => {
    const objects = await render('metrics.serviceMonitor.enabled=true', 'metrics.serviceMonitor.labels.release=kps', 'metrics.grafanaDashboard.enabled=true');
    const monitor = objects.find((o) => o.kind === 'ServiceMonitor');
    expect(monitor?.metadata.labels?.['release']).toBe('kps');
    const spec = monitor?.spec as { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> };
    const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === 'portico');
    expect(service?.metadata.labels).toMatchObject(spec.selector.matchLabels);
    expect((service?.spec as { ports: Array<{ name: string }> }).ports.map((p) => p.name)).toContain(spec.endpoints[0]?.port);
    expect(spec.endpoints[0]?.path).toBe('/metrics');

    const dashboard = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name === 'portico-grafana-dashboard');
    expect(dashboard?.metadata.labels?.['grafana_dashboard']).toBe('1');
    const json = JSON.parse(dashboard?.data?.['portico-operator.json'] ?? '') as { panels: unknown[] };
    expect(json.panels.length).toBeGreaterThan(5);
    expect(json).toEqual(JSON.parse(readFileSync(join(CHART, 'files', 'grafana-dashboard.json'), 'utf8')));
  });

  it('queries only series the operator exports', async () => {
    const metrics = new MetricsRegistry();
    new OperatorMetrics(metrics);
    new CertificateExpiryMetric(metrics);
    const server = new XdsServer({ logger: silentLogger, metrics });
    // Made where they are used: cluster-mode.ts (reconciles) and the TLS listener (refusals).
    metrics.counter('portico_reconciles_total', 'x', ['result']);
    metrics.counter('portico_xds_tls_refused_total', 'x', ['reason']);
    const exported = new Set([...(await metrics.render()).matchAll(/^# TYPE (\S+) (\S+)$/gm)].flatMap(([, name = '', type]) => (type === 'histogram' ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name])));
    const dashboard = readFileSync(join(CHART, 'files', 'grafana-dashboard.json'), 'utf8');
    const queried = new Set([...dashboard.matchAll(/\b(portico_[a-z0-9_]+)/g)].map(([name = '']) => name));
    expect(queried.size).toBeGreaterThan(10);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
    await server.shutdown(0);
  });
});
