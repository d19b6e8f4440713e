// `portico serve` as an operator runs it: a real child process, real signals.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const MAIN = join(import.meta.dirname, 'main.ts');
const SEED = join(import.meta.dirname, '..', '..', '..', 'examples', 'seed');
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

interface Serving {
  child: ChildProcessWithoutNullStreams;
  logs: Array<Record<string, unknown>>;
  until(test: (logs: Array<Record<string, unknown>>) => boolean, what: string): Promise<void>;
}

function serve(): Serving {
  const dir = mkdtempSync(join(tmpdir(), 'portico-serve-'));
  cpSync(SEED, dir, { recursive: true });
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--manifests', dir, '--xds-address', '127.0.0.1:0', '--health-address', '127.0.0.1:0']);
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

  it('refuses a --settle-ms that is not a whole number of milliseconds, saying so', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--manifests', SEED, '--settle-ms', '-5', '--xds-address', '127.0.0.1:0', '--health-address', '127.0.0.1:0'], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--settle-ms must be a whole number of milliseconds, not "-5"');
  });
});
