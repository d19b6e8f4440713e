// Runs the Envoy binary ENVOY_BIN names on a bootstrap file. The admin port is 0 (the kernel
// picks one) and Envoy writes the address it bound to --admin-address-path, so suites never
// collide on 9901. stop() waits for the exit: the HTTP listener port comes from the translation,
// and a second Envoy must never share it with one still shutting down (Envoy binds listeners with
// SO_REUSEPORT, so both would bind and split the connections between them).
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { envoyAdmin } from './envoy-admin.js';
import type { EnvoyAdmin } from './envoy-admin.js';

export interface EnvoyProcess {
  admin: EnvoyAdmin;
  /** The last lines Envoy wrote to stderr, for failure messages. */
  logTail(): string;
  stop(): Promise<number | null>;
}

export interface EnvoyStartOptions {
  bin: string;
  bootstrapFile: string;
  /** Where Envoy writes its admin address; must not exist yet. */
  adminAddressFile: string;
  timeoutMs?: number;
}

const LOG_TAIL_LINES = 60;

/**
 * Throws unless `value` (ENVOY_BIN) names an executable file. A set but broken ENVOY_BIN must fail
 * the suite, not skip it: whoever set it expects the real-Envoy proof to have run.
 */
export function checkEnvoyBinary(value: string): string {
  const hint = 'ENVOY_BIN must be the path of an Envoy binary (e.g. ENVOY_BIN=/usr/local/bin/envoy), or unset to skip this suite';
  if (value === '') throw new Error(`ENVOY_BIN is set but empty. ${hint}`);
  if (!existsSync(value)) throw new Error(`ENVOY_BIN=${value} does not exist. ${hint}`);
  if (!statSync(value).isFile()) throw new Error(`ENVOY_BIN=${value} is not a file. ${hint}`);
  try {
    accessSync(value, constants.X_OK);
  } catch {
    throw new Error(`ENVOY_BIN=${value} is not executable. ${hint}`);
  }
  return value;
}

/** "1.40.0" from `envoy --version`, or undefined when the output has no release in it. */
export function envoyVersion(bin: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    execFile(bin, ['--version'], { timeout: 10_000 }, (error, stdout) => {
      if (error) return reject(new Error(`${bin} --version failed: ${error.message}`));
      // "envoy  version: <sha>/1.40.0/Clean/RELEASE/BoringSSL"
      resolve(/\/(\d+\.\d+\.\d+)(?:-[\w.]+)?\//.exec(stdout)?.[1]);
    });
  });
}

/** Fails clearly when something (an Envoy left over from an earlier case) still holds `port`. */
export async function expectPortFree(port: number): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => reject(new Error(`port ${port} is in use (${error.message}); an earlier Envoy may still be running`)));
    server.listen(port, '0.0.0.0', () => resolve());
  });
  await new Promise((resolve) => server.close(resolve));
}

/** Starts Envoy and resolves once its admin interface listens. */
export async function startEnvoy(options: EnvoyStartOptions): Promise<EnvoyProcess> {
  const args = ['-c', options.bootstrapFile, '--admin-address-path', options.adminAddressFile, '--disable-hot-restart', '--log-level', 'warn'];
  const child = spawn(options.bin, args, { stdio: ['ignore', 'inherit', 'pipe'] });
  const tail: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail.push(...chunk.toString().split('\n').filter((line) => line !== ''));
    tail.splice(0, Math.max(0, tail.length - LOG_TAIL_LINES));
  });
  const state: ChildState = {};
  child.on('error', (error) => (state.spawnError = error));
  // 'close' (not 'exit'): by then stderr is drained, so the failure message has Envoy's last words.
  child.on('close', (code, signal) => (state.closed = { code, signal }));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const logTail = (): string => (tail.length > 0 ? tail.join('\n') : '(nothing)');
  const stop = (): Promise<number | null> => stopChild(child, exited);
  try {
    const port = await adminPort(options, state, logTail);
    return { admin: envoyAdmin(port), logTail, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface ChildState {
  spawnError?: Error;
  closed?: { code: number | null; signal: NodeJS.Signals | null };
}

/**
 * Polls the --admin-address-path file ("127.0.0.1:PORT") Envoy writes once admin listens, and
 * fails as soon as Envoy cannot start (one loop, so nothing is left waiting once it returns).
 */
async function adminPort(options: EnvoyStartOptions, state: ChildState, logTail: () => string): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (state.spawnError) throw new Error(`cannot run ${options.bin}: ${state.spawnError.message}`);
    if (state.closed) {
      const { code, signal } = state.closed;
      throw new Error(`Envoy exited (code ${code}, signal ${signal}) before its admin interface listened; stderr:\n${logTail()}`);
    }
    const match = existsSync(options.adminAddressFile) ? /:(\d+)\s*$/.exec(readFileSync(options.adminAddressFile, 'utf8')) : null;
    if (match?.[1]) return Number(match[1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`Envoy wrote no admin address to ${options.adminAddressFile} within ${timeoutMs} ms; stderr:\n${logTail()}`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return child.exitCode;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}
