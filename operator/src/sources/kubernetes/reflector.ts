// Keeps a local copy of one resource type in step with the API server: a paginated list, then a
// watch from that resourceVersion with bookmarks; 410 Gone means relist; any other error restarts
// after a wait (RecoveryBackoff: prompt while the server is away or warming up, exponential
// otherwise, starting over at the first successful list or watch event); a silent connection is
// cut by an idle timer. Deletions that happen while disconnected are caught by the relist, which
// replaces the whole copy.
import type { KubeConfig } from '@kubernetes/client-node';
import type { SupportedKind } from '../../store/cluster-state.js';
import { checkSchema } from '../../store/object-schema.js';
import { toTypedObject } from '../../store/typed-objects.js';
import { RecoveryBackoff, sleep } from '../../util/backoff.js';
import type { FailureKind, RecoveryBackoffOptions } from '../../util/backoff.js';
import { KubeHttpError, getJson, streamWatch } from '../../kube/kube-http.js';
import type { WatchedResource } from './watched-resources.js';

export interface ReflectorLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

/**
 * One object that changed: its copy before (absent when it is new) and after (absent when it is
 * gone). A relist reports only the objects whose resourceVersion differs from the copy it replaces.
 */
export interface ObjectChange {
  kind: SupportedKind;
  /** namespace/name ('' namespace for cluster-scoped objects). */
  key: string;
  previous?: unknown;
  current?: unknown;
}

export interface ReflectorOptions {
  kc: KubeConfig;
  resource: WatchedResource;
  /**
   * `changes`: what changed, object by object (operator/src/relevance decides whether it matters);
   * `relisted`: the whole kind was listed again (first sync, a 410, an uninstalled CRD).
   */
  onChange: (kind: SupportedKind, changes: readonly ObjectChange[], relisted?: boolean) => void;
  log: ReflectorLog;
  /** Asked of the server per watch; jittered so many watches do not end together. */
  watchTimeoutSeconds?: number;
  pageSize?: number;
  /** A list page taking longer than this is given up and retried (default 60 s). */
  listTimeoutMs?: number;
  /** Retry timing (tests shorten it). */
  backoff?: RecoveryBackoffOptions;
  /** Told each time a watch restarts: `expired` (410, relisted) or `error` (retried). */
  onRestart?: (kind: SupportedKind, reason: 'expired' | 'error') => void;
}

interface ObjectMeta {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string };
}

interface WatchEvent {
  type?: string;
  object?: ObjectMeta & { code?: number; message?: string };
}

class GoneError extends Error {}

/** An ERROR event inside a watch: the server's Status, with its code when it gave one. */
class WatchErrorEvent extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

/** Answers of an API server that is starting (or briefly overloaded), retried promptly for a while. */
const WARMING_STATUS = new Set([403, 429, 500, 502, 503, 504]);

/** How the retry after this error is timed (util/backoff.ts). */
export function failureKind(error: unknown): FailureKind {
  if (error instanceof KubeHttpError) return WARMING_STATUS.has(error.statusCode) ? 'warming' : 'other';
  if (error instanceof WatchErrorEvent) return error.code !== undefined && WARMING_STATUS.has(error.code) ? 'warming' : 'other';
  // No HTTP answer at all: refused, reset, timed out, a watch gone silent, a list page given up.
  return 'unreachable';
}

export class Reflector {
  private readonly objects = new Map<string, unknown>();
  private readonly controller = new AbortController();
  private readonly backoff: RecoveryBackoff;
  /** This kind's API answered a list at least once (an optional kind is installed). */
  private installed = false;
  private resourceVersion: string | undefined;
  private synced = false;
  private running: Promise<void> | undefined;

  constructor(private readonly options: ReflectorOptions) {
    this.backoff = new RecoveryBackoff(options.backoff);
  }

  get kind(): SupportedKind {
    return this.options.resource.kind;
  }

  /** True once the first complete list has been read. */
  get hasSynced(): boolean {
    return this.synced;
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await this.running;
  }

  /** The current objects, typed, in no particular order. */
  list<T>(): T[] {
    return [...this.objects.values()] as T[];
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.relist(signal);
        await this.watch(signal);
        this.backoff.succeeded();
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof GoneError || (error instanceof KubeHttpError && error.statusCode === 410)) {
          this.options.log.info('watch expired; relisting', { kind: this.kind });
          this.options.onRestart?.(this.kind, 'expired');
          this.resourceVersion = undefined;
          continue;
        }
        let kind = failureKind(error);
        if (this.options.resource.optional && error instanceof KubeHttpError && error.statusCode === 404) {
          // A restarting API server serves custom resources only once it has read their CRDs
          // again: a 404 right after an outage is warm-up, not an uninstalled CRD (believing it
          // would empty the parameters and hold every class that uses them).
          if (!(this.installed && this.backoff.recovering)) {
            await this.notInstalled(signal);
            continue;
          }
          kind = 'warming';
        }
        const delay = this.backoff.failed(kind);
        this.options.log.warn('watch failed; retrying', { kind: this.kind, failure: kind, error: error instanceof Error ? error.message : String(error), retryInMs: delay });
        this.options.onRestart?.(this.kind, 'error');
        await sleep(delay, signal);
      }
    }
  }

  /** An optional kind's API is absent (CRD not installed, or removed): empty, and look again later. */
  private async notInstalled(signal: AbortSignal): Promise<void> {
    if (!this.synced || this.objects.size > 0) {
      this.options.log.warn('resource not installed; treating it as empty and checking again', { kind: this.kind, path: this.options.resource.path });
      const changes = [...this.objects].map(([key, previous]) => ({ kind: this.kind, key, previous }));
      this.objects.clear();
      this.resourceVersion = undefined;
      this.synced = true;
      this.options.onChange(this.kind, changes, true);
    }
    this.installed = false;
    await sleep(this.backoff.failed('other'), signal);
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const fresh = new Map<string, unknown>();
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const query = new URLSearchParams({ limit: String(this.options.pageSize ?? 500) });
      if (continueToken) query.set('continue', continueToken);
      if (this.options.resource.labelSelector) query.set('labelSelector', this.options.resource.labelSelector);
      if (this.options.resource.fieldSelector) query.set('fieldSelector', this.options.resource.fieldSelector);
      // Unlike the watch, a list has no idle timer: without a timeout, a half-open connection
      // would leave this reflector waiting for ever.
      const pageSignal = AbortSignal.any([signal, AbortSignal.timeout(this.options.listTimeoutMs ?? 60_000)]);
      const page = (await getJson(this.options.kc, `${this.options.resource.path}?${query}`, pageSignal)) as {
        items?: unknown[];
        metadata?: { continue?: string; resourceVersion?: string };
      };
      for (const item of page.items ?? []) {
        const typed = this.typedIfValid(item);
        if (typed) fresh.set(keyOf(typed), typed);
        else {
          // As for a watch event: an object that stopped fitting keeps its last good copy.
          const key = rawKeyOf(item);
          const kept = key === undefined ? undefined : this.objects.get(key);
          if (key !== undefined && kept !== undefined) fresh.set(key, kept);
        }
      }
      continueToken = page.metadata?.continue || undefined;
      resourceVersion = page.metadata?.resourceVersion ?? '';
    } while (continueToken);
    const changes = relistChanges(this.kind, this.objects, fresh);
    this.objects.clear();
    for (const [key, object] of fresh) this.objects.set(key, object);
    this.resourceVersion = resourceVersion;
    this.synced = true;
    this.installed = true;
    this.backoff.succeeded();
    this.options.onChange(this.kind, changes, true);
  }

  private async watch(signal: AbortSignal): Promise<void> {
    const timeout = this.options.watchTimeoutSeconds ?? 300;
    const jittered = Math.round(timeout * (0.9 + Math.random() * 0.2));
    const query = new URLSearchParams({
      watch: '1',
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(jittered),
      resourceVersion: this.resourceVersion ?? '',
    });
    if (this.options.resource.labelSelector) query.set('labelSelector', this.options.resource.labelSelector);
    if (this.options.resource.fieldSelector) query.set('fieldSelector', this.options.resource.fieldSelector);
    // Bookmarks arrive about once a minute; twice the watch timeout without a byte is a dead connection.
    const idleMs = (jittered + 30) * 1000;
    await streamWatch(this.options.kc, `${this.options.resource.path}?${query}`, signal, idleMs, (raw) => this.apply(raw as WatchEvent));
  }

  private apply(event: WatchEvent): void {
    const object = event.object;
    if (event.type === 'ERROR') {
      if (object?.code === 410) throw new GoneError(object.message ?? 'resource version too old');
      throw new WatchErrorEvent(`watch error: ${object?.message ?? JSON.stringify(object)}`, object?.code);
    }
    // The server answers again: a later failure starts from the shortest wait.
    this.backoff.succeeded();
    const version = object?.metadata?.resourceVersion;
    if (version) this.resourceVersion = version;
    if (event.type === 'BOOKMARK' || !object) return;
    let change: ObjectChange;
    if (event.type === 'DELETED') {
      const key = keyOf(toTypedObject<ObjectMeta>(this.kind, object));
      change = { kind: this.kind, key, previous: this.objects.get(key) };
      this.objects.delete(key);
    } else if (event.type === 'ADDED' || event.type === 'MODIFIED') {
      // An object that does not fit its schema leaves the last good copy (if any) in place.
      const typed = this.typedIfValid(object);
      if (!typed) return;
      const key = keyOf(typed);
      change = { kind: this.kind, key, previous: this.objects.get(key), current: typed };
      this.objects.set(key, typed);
    } else return;
    this.options.onChange(this.kind, [change]);
  }

  /**
   * The API server has validated what it serves, so this refuses only what a different API server
   * version or a broken aggregated API could send; translation must never see such an object.
   */
  private typedIfValid(raw: unknown): ObjectMeta | undefined {
    const check = typeof raw === 'object' && raw !== null ? checkSchema(this.kind, raw) : { ok: false as const, problems: ['(the object): must be object'] };
    if (check.ok) return toTypedObject<ObjectMeta>(this.kind, check.object);
    const { problems } = check;
    const metadata = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
    this.options.log.warn('object does not fit its schema; left out', { kind: this.kind, namespace: String(metadata?.namespace ?? ''), name: String(metadata?.name ?? ''), problems });
    return undefined;
  }
}

/** What a relist changed: objects whose resourceVersion differs (or that are new), and those gone. */
function relistChanges(kind: SupportedKind, before: ReadonlyMap<string, unknown>, after: ReadonlyMap<string, unknown>): ObjectChange[] {
  const changes: ObjectChange[] = [];
  for (const [key, current] of after) {
    const previous = before.get(key);
    if (previous === current) continue;
    const version = (previous as ObjectMeta | undefined)?.metadata?.resourceVersion;
    if (version && version === (current as ObjectMeta).metadata?.resourceVersion) continue;
    changes.push({ kind, key, ...(previous === undefined ? {} : { previous }), current });
  }
  for (const [key, previous] of before) if (!after.has(key)) changes.push({ kind, key, previous });
  return changes;
}

/** The key of a raw object that failed its schema check, when its metadata still names it. */
function rawKeyOf(raw: unknown): string | undefined {
  const metadata = (raw as { metadata?: { namespace?: unknown; name?: unknown } } | null)?.metadata;
  if (typeof metadata?.name !== 'string') return undefined;
  return `${typeof metadata.namespace === 'string' ? metadata.namespace : ''}/${metadata.name}`;
}

function keyOf(object: ObjectMeta): string {
  return `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;
}
