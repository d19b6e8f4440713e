// A temporary copy of examples/seed whose EndpointSlices point at test backends on 127.0.0.1, plus
// helpers to edit it the way a person would (rewrite a file in place).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { REPO_ROOT } from './portico-process.js';

export interface Scenario {
  dir: string;
  read(file: string): Record<string, unknown>[];
  write(file: string, documents: unknown[]): void;
  /** Writes broken YAML over a file (as a half-saved edit would leave it). */
  writeRaw(file: string, text: string): void;
  remove(): void;
}

/** Copies the seed's Ingress, IngressClass and Services; EndpointSlices come from `ports`. */
export function seedScenario(ports: { nginx1: number; nginx2: number }): Scenario {
  const dir = mkdtempSync(join(tmpdir(), 'portico-e2e-'));
  for (const file of ['ingress-class.yaml', 'ingress.yaml', 'services.yaml']) cpSync(join(REPO_ROOT, 'examples/seed', file), join(dir, file));
  const scenario: Scenario = {
    dir,
    read: (file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as Record<string, unknown>),
    write: (file, documents) => writeFileSync(join(dir, file), documents.map((d) => stringify(d)).join('---\n')),
    writeRaw: (file, text) => writeFileSync(join(dir, file), text),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  scenario.write('endpoint-slices.yaml', [endpointSlice('nginx1', ports.nginx1), endpointSlice('nginx2', ports.nginx2)]);
  return scenario;
}

export function endpointSlice(service: string, port: number): object {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-e2e`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port, protocol: 'TCP' }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
  };
}
