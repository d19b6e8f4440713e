// `portico serve` as an operator runs it: a real child process, real signals.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { constants } from 'node:http2';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StalledAdsClient } from '../../../xds-server/src/test-support/stalled-ads-client.js';

const MAIN = join(import.meta.dirname, 'main.ts');
const SEED = join(import.meta.dirname, '..', '..', '..', 'examples', 'seed');
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

interface Serving {
  child: ChildProcessWithoutNullStreams;
  logs: Array<Record<string, unknown>>;
  until(test: (logs: Array<Record<string, unknown>>) => boolean, what: string): Promise<void>;
}

function serve(extraArgs: string[] = [], extraFiles: Record<string, string> = {}): Serving {
  const dir = mkdtempSync(join(tmpdir(), 'portico-serve-'));
  cpSync(SEED, dir, { recursive: true });
  for (const [name, text] of Object.entries(extraFiles)) writeFileSync(join(dir, name), text);
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--manifests', dir, '--xds-address', '127.0.0.1:0', '--health-address', '127.0.0.1:0', ...extraArgs]);
  cleanups.push(() => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stderr.on('data', (chunk: Buffer) => {
    const lines = (buffered + chunk.toString('utf8')).split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const until = async (test: (logs: Array<Record<string, unknown>>) => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 15_000;
    while (!test(logs)) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${what}; logs: ${JSON.stringify(logs.map((l) => l['event']))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, logs, until };
}

const count = (logs: Array<Record<string, unknown>>, event: string): number => logs.filter((l) => l['event'] === event).length;

describe('portico serve and SIGHUP', () => {
  it('reloads the manifest folder on SIGHUP, logs it, and keeps serving; SIGTERM still stops it with 0', async () => {
    const { child, logs, until } = serve();
    await until((l) => count(l, 'manifests.watching') === 1, 'start');
    expect(count(logs, 'config.applied')).toBe(1);

    child.kill('SIGHUP');
    await until((l) => count(l, 'config.applied') === 2, 'reload after SIGHUP');
    expect(logs.find((l) => l['event'] === 'serve.signal')).toMatchObject({ signal: 'SIGHUP', action: 'reload' });
    expect(child.exitCode).toBeNull();

    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(logs.filter((l) => l['event'] === 'serve.signal').map((l) => l['signal'])).toEqual(['SIGHUP', 'SIGTERM']);
  });

  it.each(['-5', '1e3', '0x10', '2147483648'])('refuses --settle-ms %s, saying what it takes', (value) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--manifests', SEED, '--settle-ms', value, '--xds-address', '127.0.0.1:0', '--health-address', '127.0.0.1:0'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`--settle-ms must be a whole number of milliseconds from 0 to 2147483647, not "${value}"`);
  });

  it('resets a client that stops reading after --xds-write-timeout-ms, and refuses a value that is not a positive whole number', async () => {
    // One Ingress of 500 hosts: a route table far larger than the 64 KiB a client that never reads takes in.
    const rules = Array.from({ length: 500 }, (_, i) => `    - host: host-${i}.example.com\n      http: { paths: [ { path: /, pathType: Prefix, backend: { service: { name: nginx1, port: { number: 80 } } } } ] }`);
    const many = `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: { name: many-hosts, namespace: default }\nspec:\n  ingressClassName: nginx\n  rules:\n${rules.join('\n')}\n`;
    const { child, logs, until } = serve(['--xds-write-timeout-ms', '1500'], { 'many-hosts.yaml': many });
    await until((l) => count(l, 'manifests.watching') === 1, 'start');
    const port = logs.find((l) => l['event'] === 'xds.listening')?.['port'];
    const stalled = new StalledAdsClient(`127.0.0.1:${String(port)}`);
    cleanups.push(() => stalled.close());
    stalled.send({ node: { id: 'stuck', cluster: 'nginx' }, type_url: 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration', resource_names: ['http'] });
    const end = await stalled.ended;
    expect(end.rstCode).toBe(constants.NGHTTP2_REFUSED_STREAM);
    expect(end.afterMs).toBeGreaterThanOrEqual(1_400);
    expect(end.afterMs).toBeLessThan(10_000); // the default, 30 s, would not have ended it yet
    await until((l) => count(l, 'xds.slow_client_closed') === 1, 'xds.slow_client_closed');
    expect(logs.find((l) => l['event'] === 'xds.slow_client_closed')).toMatchObject({ nodeId: 'stuck', writeTimeoutMs: 1_500 });
    expect(child.exitCode).toBeNull();

    for (const bad of ['0', '2.5', 'soon', '1e3', ' 5', '0x10', '2147483648']) {
      const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--manifests', SEED, '--xds-write-timeout-ms', bad, '--xds-address', '127.0.0.1:0', '--health-address', '127.0.0.1:0'], { encoding: 'utf8', timeout: 30_000 });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`--xds-write-timeout-ms must be a whole number of milliseconds from 1 to 2147483647, not "${bad}"`);
    }
  });
});
