// Backends with real, non-loopback addresses for cluster e2e tests. EndpointSlices reject
// 127.0.0.0/8 (the API server validates endpoint addresses), so the backends an operator routes to
// must live somewhere else: a network namespace made for the test, joined to the host by a veth
// pair (host end 10.X.Y.1/24, namespace end 10.X.Y.2/24 plus .3, .4, … for more backends). A
// host-side gRPC client dialing 10.X.Y.2 really crosses the veth.
//
// Needs root (CAP_NET_ADMIN + CAP_SYS_ADMIN): without it, creating the network fails with a clear
// message; the suites must never skip silently. Only what this module creates is ever touched:
// a namespace named portico-e2e-<pid>-<random> and a veth pair with random names; X.Y is random
// and checked against every address and route on the host. Everything goes on destroy(), on
// process exit, and on SIGINT/SIGTERM; a run that was SIGKILLed is swept up by the next one
// (namespaces of ours whose creating process is gone).
import { execFile, execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { who } from './backends.js';
import { REPO_ROOT } from './portico-process.js';

const run = promisify(execFile);
const PREFIX = 'portico-e2e-';
const BACKEND_MAIN = 'e2e/support/netns-backend-main.ts';
// With setpriv (util-linux), the kernel kills a backend if this process is SIGKILLed; stdin EOF
// is the second guard (the backend exits when its stdin closes).
const SETPRIV = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));

export interface NetnsBackend {
  name: string;
  address: string;
  port: number;
  /** host:port as an EndpointSlice would carry it. */
  target: string;
  stop(): Promise<void>;
}

export interface BackendNetwork {
  /** The network namespace's name. */
  namespace: string;
  /** The veth end on the host. */
  hostInterface: string;
  /** 10.X.Y.1: the host's address on the veth. */
  hostAddress: string;
  /** Addresses inside the namespace, 10.X.Y.2 first; backends bind to these. */
  addresses: string[];
  /**
   * Runs a backend answering `name` inside the namespace on address:port, and resolves once a
   * call from the host (across the veth) got its answer.
   */
  startBackend(name: string, address: string, port: number): Promise<NetnsBackend>;
  /** Bytes the host end has sent and received so far: proof that traffic crossed the veth. */
  hostTraffic(): { rxBytes: number; txBytes: number };
  destroy(): Promise<void>;
}

export interface BackendNetworkOptions {
  /** How many addresses the namespace end gets (10.X.Y.2 …); default 3, at most 250. */
  addresses?: number;
}

interface Live {
  namespace: string;
  hostInterface: string;
  children: Set<ChildProcess>;
}

const live = new Set<Live>();
let hooksInstalled = false;

/** Synchronous, for 'exit' and signal handlers: SIGKILL the backends, delete what we created. */
function destroyNow(network: Live): void {
  for (const child of network.children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  network.children.clear();
  for (const args of [['netns', 'del', network.namespace], ['link', 'del', network.hostInterface]]) {
    try {
      execFileSync('ip', args, { stdio: 'ignore' });
    } catch {
      // already gone (deleting the namespace also removes the veth pair)
    }
  }
  live.delete(network);
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const network of [...live]) destroyNow(network);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      for (const network of [...live]) destroyNow(network);
      process.removeListener(signal, onSignal);
      // Die of the signal as we would have without this handler, unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

async function ip(args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (error) {
    const { stderr, message } = error as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')}: ${stderr?.trim() || message}`);
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes namespaces of ours (portico-e2e-<pid>-…) whose creating process no longer exists. */
async function sweepStale(): Promise<void> {
  const listed = await ip(['netns', 'list']).catch(() => '');
  for (const line of listed.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = new RegExp(`^${PREFIX}(\\d+)-[0-9a-f]+$`).exec(name);
    if (!match || isAlive(Number(match[1]))) continue;
    await ip(['netns', 'del', name]).catch(() => undefined);
  }
}

/** Every IPv4 prefix the host has as an address or a route, as [network, length] pairs. */
async function hostPrefixes(): Promise<Array<[number, number]>> {
  const text = [await ip(['-4', '-o', 'addr', 'show']), await ip(['-4', 'route', 'show', 'table', 'all'])].join('\n');
  const prefixes: Array<[number, number]> = [];
  for (const match of text.matchAll(/(?:^|\s)(\d{1,3}(?:\.\d{1,3}){3})(?:\/(\d{1,2}))?(?=\s|$)/gm)) {
    const parts = (match[1] ?? '').split('.').map(Number);
    if (parts.length !== 4 || parts.some((p) => p > 255)) continue;
    const value = parts.reduce((acc, p) => acc * 256 + p, 0);
    prefixes.push([value, match[2] === undefined ? 32 : Number(match[2])]);
  }
  return prefixes;
}

function overlaps([a, aLength]: [number, number], [b, bLength]: [number, number]): boolean {
  const length = Math.min(aLength, bLength);
  if (length === 0) return false; // default routes overlap everything; they are not a conflict
  const size = 2 ** (32 - length);
  return Math.floor(a / size) === Math.floor(b / size);
}

/** A random 10.X.Y.0/24 that no address or route on the host overlaps. */
async function freeSubnet(): Promise<string> {
  const taken = await hostPrefixes();
  for (let attempt = 0; attempt < 50; attempt++) {
    const x = randomInt(64, 255);
    const y = randomInt(0, 256);
    if (!taken.some((p) => overlaps(p, [(10 * 256 + x) * 65536 + y * 256, 24]))) return `10.${x}.${y}`;
  }
  throw new Error('no free 10.X.Y.0/24 for the test network after 50 tries');
}

export async function createBackendNetwork(options: BackendNetworkOptions = {}): Promise<BackendNetwork> {
  const count = options.addresses ?? 3;
  if (count < 1 || count > 250) throw new Error(`addresses must be 1..250, not ${count}`);
  await sweepStale();
  const suffix = randomBytes(3).toString('hex');
  const namespace = `${PREFIX}${process.pid}-${suffix}`;
  // Interface names are limited to 15 characters.
  const hostInterface = `pt${suffix}h`;
  const peerInterface = `pt${suffix}n`;
  let subnet: string;
  try {
    subnet = await freeSubnet();
    await ip(['netns', 'add', namespace]);
  } catch (error) {
    throw new Error(
      'the cluster e2e tests need root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2 (`ip`) to create a network namespace: ' +
        'EndpointSlices reject loopback addresses, so the backends get 10.X.Y.Z addresses behind a veth pair. ' +
        `Run the tests as root (CI does). ${(error as Error).message}`,
    );
  }
  const hostAddress = `${subnet}.1`;
  const addresses = Array.from({ length: count }, (_, i) => `${subnet}.${i + 2}`);
  const entry: Live = { namespace, hostInterface, children: new Set() };
  live.add(entry);
  installExitHooks();

  try {
    await ip(['link', 'add', hostInterface, 'type', 'veth', 'peer', 'name', peerInterface]);
    await ip(['link', 'set', peerInterface, 'netns', namespace]);
    await ip(['addr', 'add', `${hostAddress}/24`, 'dev', hostInterface]);
    await ip(['link', 'set', hostInterface, 'up']);
    for (const address of addresses) await ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', peerInterface]);
    await ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
    await ip(['-n', namespace, 'link', 'set', peerInterface, 'up']);
  } catch (error) {
    destroyNow(entry);
    throw error;
  }

  const startBackend = async (name: string, address: string, port: number): Promise<NetnsBackend> => {
    if (!live.has(entry)) throw new Error(`network ${namespace} is destroyed`);
    const command = ['ip', 'netns', 'exec', namespace, process.execPath, '--import', 'tsx', BACKEND_MAIN, name, address, String(port)];
    const [file, args] = SETPRIV ? [SETPRIV, ['--pdeathsig', 'KILL', '--', ...command]] : ['ip', command.slice(1)];
    const child = spawn(file, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    entry.children.add(child);
    const exited = new Promise<string>((resolve) =>
      child.on('exit', (code, signal) => {
        entry.children.delete(child);
        resolve(signal ?? String(code));
      }),
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const listening = new Promise<void>((resolve) => {
      let stdout = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('"event":"listening"')) resolve();
      });
    });
    const stop = async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    };
    const failed = (why: string): Error => new Error(`backend ${name} on ${address}:${port} in ${namespace}: ${why}\n${stderr}`);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        listening,
        exited.then((how) => Promise.reject(failed(`exited (${how}) before listening`))),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(failed('not listening after 30 s')), 30_000))),
      ]);
      await answersAcrossVeth(name, address, port).catch((error: unknown) => Promise.reject(failed((error as Error).message)));
    } catch (error) {
      await stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return { name, address, port, target: `${address}:${port}`, stop };
  };

  const hostTraffic = (): { rxBytes: number; txBytes: number } => {
    const read = (counter: string): number => Number(readFileSync(`/sys/class/net/${hostInterface}/statistics/${counter}`, 'utf8').trim());
    return { rxBytes: read('rx_bytes'), txBytes: read('tx_bytes') };
  };

  const destroy = async (): Promise<void> => {
    if (!live.has(entry)) return;
    await Promise.all(
      [...entry.children].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
    destroyNow(entry);
  };

  return { namespace, hostInterface, hostAddress, addresses, startBackend, hostTraffic, destroy };
}

/** A direct call from the host to the backend: fails fast if the veth path does not work. */
async function answersAcrossVeth(name: string, address: string, port: number): Promise<void> {
  const client = new grpc.Client(`${address}:${port}`, grpc.credentials.createInsecure());
  try {
    const deadline = Date.now() + 10_000;
    let last = '';
    while (Date.now() < deadline) {
      try {
        last = await who(client, '/portico.e2e.Echo/Who', 1_000);
        if (last === name) return;
      } catch (error) {
        last = (error as Error).message;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`a direct call from the host across the veth got "${last}", not "${name}"`);
  } finally {
    client.close();
  }
}
