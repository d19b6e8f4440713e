// vitest globalSetup: gets the kube-apiserver/etcd binaries before any test file runs, so a cold
// build (minutes) happens outside every hook and test timeout. `make test` normally did this
// already via `make apiserver-binaries`, making this a sub-second cache check. If the binaries
// cannot be had, this throws and the whole run fails with the script's message: e2e suites must
// never be skipped silently.
import { ensureBinaries } from './binaries.js';

export default async function setup(): Promise<void> {
  const bins = await ensureBinaries();
  console.log(`[portico e2e] kube-apiserver: ${bins.kubeApiserver}\n[portico e2e] etcd: ${bins.etcd}`);
}
