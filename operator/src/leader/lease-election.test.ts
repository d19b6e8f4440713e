// The renew deadline against an API server whose answer to a renewal comes late. A real
// kube-apiserver runs in the e2e suites (e2e/kube-watch-and-status.test.ts,
// e2e/cluster/leader-status-events.test.ts), but it cannot be made to write a Lease at once and
// answer the write only later; so this test serves the Lease API itself, over a real socket:
// GET, POST and PUT of one Lease with resourceVersion checks, and a PUT answered after a delay
// the test sets, or never.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LeaseElection } from './lease-election.js';

const LEASE_SECONDS = 3;
const RENEW_DEADLINE_MS = 2_000;
const RETRY_PERIOD_MS = 250;

/** One Lease, kept as the API server would; `commits` are when each write was stored. */
class FakeLeaseApi {
  lease: Record<string, unknown> | undefined;
  private version = 0;
  readonly commits: number[] = [];
  /** Answers to PUTs wait this long after the write is stored. */
  putDelayMs = 0;
  /** Requests are read and never answered (a cut-off connection). */
  silent = false;
  /** Called once a PUT's answer has been sent. */
  onPutAnswered: (() => void) | undefined;
  private readonly server: Server = createServer((request, response) => this.handle(request, response));

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (this.silent) return;
      const answer = (status: number, body: unknown): void => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      if (request.method === 'GET') {
        if (this.lease) answer(200, this.lease);
        else answer(404, { kind: 'Status', message: 'not found' });
        return;
      }
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metadata?: { resourceVersion?: string } };
      if (request.method === 'PUT' && body.metadata?.resourceVersion !== String(this.version)) {
        answer(409, { kind: 'Status', message: 'conflict' });
        return;
      }
      this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.version) } };
      this.commits.push(Date.now());
      const stored = this.lease;
      const delay = request.method === 'PUT' ? this.putDelayMs : 0;
      setTimeout(() => {
        answer(request.method === 'POST' ? 201 : 200, stored);
        if (request.method === 'PUT') this.onPutAnswered?.();
      }, delay);
    });
  }
}

const apis: FakeLeaseApi[] = [];
const elections: LeaseElection[] = [];
afterEach(async () => {
  await Promise.all(elections.splice(0).map((e) => e.stop().catch(() => undefined)));
  await Promise.all(apis.splice(0).map((a) => a.close()));
});

async function elect(): Promise<{ api: FakeLeaseApi; election: LeaseElection; stoppedAt: () => number | undefined }> {
  const api = new FakeLeaseApi();
  apis.push(api);
  const server = await api.listen();
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'nobody' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'nobody' }],
    currentContext: 'fake',
  });
  let stopped: number | undefined;
  const election = new LeaseElection({
    kc,
    namespace: 'portico-system',
    name: 'portico-leader',
    identity: 'replica-a',
    leaseDurationSeconds: LEASE_SECONDS,
    renewDeadlineMs: RENEW_DEADLINE_MS,
    retryPeriodMs: RETRY_PERIOD_MS,
    log: { info: () => undefined, warn: () => undefined },
    onStartedLeading: () => undefined,
    onStoppedLeading: () => (stopped = Date.now()),
  });
  elections.push(election);
  election.start();
  await vi.waitFor(() => expect(election.isLeader).toBe(true), { timeout: 5_000, interval: 10 });
  return { api, election, stoppedAt: () => stopped };
}

describe('LeaseElection', () => {
  it('steps down within the renew deadline of the last renewal it began, however late its answer came', async () => {
    const { api, stoppedAt } = await elect();
    // The next renewal is stored at once and answered 1.2 s later (within the attempt's budget,
    // so it counts as renewed); from then on nothing is answered.
    api.putDelayMs = 1_200;
    const answered = new Promise<void>((resolve) => (api.onPutAnswered = resolve));
    const commitsBefore = api.commits.length;
    await answered;
    api.silent = true;
    const lastCommit = api.commits[commitsBefore] as number;
    expect(api.commits.length).toBe(commitsBefore + 1);
    await vi.waitFor(() => expect(stoppedAt()).toBeDefined(), { timeout: 6_000, interval: 10 });
    // Another replica may see that renewal as soon as it is stored, and take the Lease a lease
    // duration later: this one must have stopped by then. Counting the renewal from its late
    // answer, it stopped 3.2 s after the write; from the attempt's start, about 2 s after it.
    expect((stoppedAt() as number) - lastCommit).toBeLessThan(LEASE_SECONDS * 1_000);
    expect((stoppedAt() as number) - lastCommit).toBeLessThan(RENEW_DEADLINE_MS + 200);
  }, 15_000);

  it('keeps leading while renewals are answered, slowly or not', async () => {
    const { api, election, stoppedAt } = await elect();
    api.putDelayMs = 400;
    const commitsBefore = api.commits.length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(api.commits.length).toBeGreaterThan(commitsBefore + 3);
    expect(election.isLeader).toBe(true);
    expect(stoppedAt()).toBeUndefined();
  }, 15_000);
});
