// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a replica takes the
// lease only after it has seen the same holder and renewTime unchanged for a whole lease duration
// (measured on its own clock, so clocks need not agree), renews every retry period, and steps
// down if it could not renew within the renew deadline. Every replica serves xDS; only the
// leader writes status, so leadership only gates writes.
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeHttpError, requestJson } from '../kube/kube-http.js';
import { sleep } from '../util/backoff.js';
import { withFieldManager } from '../status/reporter.js';
import { toMicroTime } from './micro-time.js';

export interface LeaseElectionOptions {
  kc: KubeConfig;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  log: { info(message: string, fields?: Record<string, unknown>): void; warn(message: string, fields?: Record<string, unknown>): void };
  now?: () => number;
}

interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

interface Lease {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
  spec?: LeaseSpec;
}

export class LeaseElection {
  private readonly controller = new AbortController();
  private leading = false;
  private observed: { holder: string; renewTime: string; at: number } | undefined;
  private lastRenew = 0;
  private running: Promise<void> | undefined;
  /** The other holder last said to lead (logged once per holder). */
  private following: string | undefined;

  constructor(private readonly options: LeaseElectionOptions) {}

  get isLeader(): boolean {
    return this.leading;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stops campaigning and, if leading, releases the lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
    if (this.leading) {
      await this.release().catch((error: unknown) => this.options.log.warn('could not release the lease', { error: String(error) }));
      this.setLeading(false);
    }
  }

  private get durationSeconds(): number {
    return this.options.leaseDurationSeconds ?? 15;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    const renewDeadline = this.options.renewDeadlineMs ?? 10_000;
    while (!signal.aborted) {
      let renewed = false;
      // A request that hangs (a half-open connection) must not keep a leader leading: each
      // attempt ends by the renew deadline, so the leader steps down before the Lease can expire
      // for the others, as client-go's renew loop does.
      const budget = this.leading ? Math.max(1, renewDeadline - (this.now() - this.lastRenew)) : renewDeadline;
      // A renewal counts from when the attempt began, not from when its answer came: the others
      // may see the new renewTime as soon as the API server has written it, and start counting
      // their lease duration then, while a slow answer is still on its way to us.
      const attemptStartedAt = this.now();
      try {
        renewed = await this.tryAcquireOrRenew(AbortSignal.any([signal, AbortSignal.timeout(budget)]));
      } catch (error) {
        if (signal.aborted) break;
        this.options.log.warn('lease request failed', { error: error instanceof Error ? error.message : String(error) });
      }
      if (renewed) this.lastRenew = attemptStartedAt;
      if (renewed && !this.leading && this.now() - this.lastRenew < renewDeadline) this.setLeading(true);
      if (!renewed && this.leading && this.now() - this.lastRenew >= renewDeadline) this.setLeading(false);
      await sleep(this.options.retryPeriodMs ?? 2_000, signal);
    }
  }

  private setLeading(leading: boolean): void {
    if (leading === this.leading) return;
    this.leading = leading;
    this.options.log.info(leading ? 'became leader' : 'stopped leading', { lease: `${this.options.namespace}/${this.options.name}`, identity: this.options.identity });
    if (leading) this.options.onStartedLeading();
    else this.options.onStoppedLeading();
  }

  private path(name?: string): string {
    const base = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(this.options.namespace)}/leases`;
    return name === undefined ? base : `${base}/${encodeURIComponent(name)}`;
  }

  /** True when this replica holds the lease after the call. */
  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { kc, name, identity } = this.options;
    const now = toMicroTime(new Date(this.now()));
    let current: Lease;
    try {
      current = (await requestJson(kc, 'GET', this.path(name), signal)) as Lease;
    } catch (error) {
      if (!(error instanceof KubeHttpError && error.statusCode === 404)) throw error;
      const created: Lease = {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: this.options.namespace },
        spec: { holderIdentity: identity, leaseDurationSeconds: this.durationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
      };
      return this.write('POST', this.path(), created, signal);
    }
    const spec = current.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    const renewTime = spec.renewTime ?? '';
    if (!this.observed || this.observed.holder !== holder || this.observed.renewTime !== renewTime) {
      this.observed = { holder, renewTime, at: this.now() };
    }
    const heldByUs = holder === identity;
    if (!heldByUs && holder !== '' && holder !== this.following) {
      this.following = holder;
      // A second install started with the default Lease name would wait here for ever, serving
      // xDS but writing nothing: say who holds the Lease, once per holder.
      this.options.log.info('following leader', {
        lease: `${this.options.namespace}/${name}`,
        holder,
        identity,
        hint: 'only the Lease holder writes Ingress status, Events and the xDS client Secrets; another install needs a --leader-election-name of its own',
      });
    }
    const expired = holder === '' || this.now() - this.observed.at > (spec.leaseDurationSeconds ?? this.durationSeconds) * 1000;
    if (!heldByUs && !expired) return false;
    const next: Lease = {
      ...current,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: this.durationSeconds,
        renewTime: now,
        acquireTime: heldByUs ? (spec.acquireTime ?? now) : now,
        leaseTransitions: heldByUs ? (spec.leaseTransitions ?? 0) : (spec.leaseTransitions ?? 0) + 1,
      },
    };
    return this.write('PUT', this.path(name), next, signal);
  }

  /** Writes with the read resourceVersion: a 409 means another replica won the race. */
  private async write(method: string, path: string, lease: Lease, signal: AbortSignal): Promise<boolean> {
    try {
      const written = (await requestJson(this.options.kc, method, withFieldManager(path), signal, lease)) as Lease;
      this.observed = { holder: written.spec?.holderIdentity ?? '', renewTime: written.spec?.renewTime ?? '', at: this.now() };
      return true;
    } catch (error) {
      if (error instanceof KubeHttpError && (error.statusCode === 409 || error.statusCode === 422)) return false;
      throw error;
    }
  }

  private async release(): Promise<void> {
    const signal = AbortSignal.timeout(5_000);
    const current = (await requestJson(this.options.kc, 'GET', this.path(this.options.name), signal)) as Lease;
    if (current.spec?.holderIdentity !== this.options.identity) return;
    const released: Lease = { ...current, spec: { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: toMicroTime(new Date(this.now())) } };
    await requestJson(this.options.kc, 'PUT', withFieldManager(this.path(this.options.name)), signal, released);
  }
}
