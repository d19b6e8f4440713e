// Runs `portico serve` as a child process (through tsx, from source), reads its JSON log lines
// from stderr, and stops it the way Kubernetes does: SIGTERM, then wait for the exit code.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = 'operator/src/cli/main.ts';

export type LogLine = Record<string, unknown> & { event?: string };

export interface PorticoProcess {
  xdsPort: number;
  healthPort: number;
  logs: LogLine[];
  stdout(): string;
  events(event: string): LogLine[];
  /** Resolves with the first log line of `event` matching `filter`, waiting up to timeoutMs. */
  waitForLog(event: string, filter?: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** GET on the health listener. */
  http(path: string): Promise<{ status: number; body: string }>;
  stop(): Promise<number | null>;
}

export interface PorticoServeOptions {
  manifests: string;
  xdsPort?: number;
}

/** Starts `portico serve` and resolves once both listeners are up. */
export async function startPorticoServe(options: PorticoServeOptions): Promise<PorticoProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, 'serve', '--manifests', options.manifests, '--xds-address', `127.0.0.1:${options.xdsPort ?? 0}`, '--health-address', '127.0.0.1:0', '--log-level', 'debug'],
    { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const logs: LogLine[] = [];
  const listeners = new Set<() => void>();
  let stdout = '';
  let stderrRest = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (stderrRest + chunk.toString()).split('\n');
    stderrRest = lines.pop() ?? '';
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ event: 'unstructured', line });
      }
    }
    for (const listener of listeners) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const waitForLog = (event: string, filter: (line: LogLine) => boolean = () => true, timeoutMs = 20_000): Promise<LogLine> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const line = logs.find((l) => l.event === event && filter(l));
        if (!line) return false;
        cleanup();
        resolve(line);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`portico serve logged no ${event} within ${timeoutMs} ms; logs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      const listener = (): void => void check();
      if (!check()) listeners.add(listener);
    });

  const started = Promise.race([
    Promise.all([waitForLog('xds.listening'), waitForLog('health.listening')]),
    exited.then((code) => {
      throw new Error(`portico serve exited with ${code} before listening; logs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`);
    }),
  ]);
  const [xds, health] = await started;
  const healthPort = Number(health['port']);
  return {
    xdsPort: Number(xds['port']),
    healthPort,
    logs,
    stdout: () => stdout,
    events: (event) => logs.filter((l) => l.event === event),
    waitForLog,
    http: async (path) => {
      const response = await fetch(`http://127.0.0.1:${healthPort}${path}`);
      return { status: response.status, body: await response.text() };
    },
    stop: () => stopChild(child, exited),
  };
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
