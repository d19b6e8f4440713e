// etcd for the test control plane: one member on loopback, data in a temp dir, fsync off
// (test data is disposable and fsync dominates etcd's latency on shared disks).
import { join } from 'node:path';
import { spawnLogged, tail, type LoggedProcess } from './child.js';
import { freePort, get, waitUntil } from './net.js';

export interface Etcd {
  readonly url: string;
  readonly process: LoggedProcess;
}

export async function startEtcd(bin: string, dir: string, timeoutMs: number): Promise<Etcd> {
  const url = `http://127.0.0.1:${await freePort()}`;
  const peer = `http://127.0.0.1:${await freePort()}`;
  const logFile = join(dir, 'etcd.log');
  const proc = spawnLogged(
    bin,
    [
      '--name=portico-e2e',
      `--data-dir=${join(dir, 'etcd-data')}`,
      `--listen-client-urls=${url}`,
      `--advertise-client-urls=${url}`,
      `--listen-peer-urls=${peer}`,
      `--initial-advertise-peer-urls=${peer}`,
      `--initial-cluster=portico-e2e=${peer}`,
      '--unsafe-no-fsync=true',
    ],
    logFile,
  );
  try {
    await waitUntil('etcd', async () => (await get(`${url}/health`)).body.includes('"health":"true"'), {
      timeoutMs,
      died: proc.exited,
      describe: () => `last lines of ${logFile}:\n${tail(logFile)}`,
    });
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, process: proc };
}
