// For property tests over random histories: the watched objects as the reflectors hold them
// (every write bumps resourceVersion), a seeded source of choices, and serving certificates.
import { createCa, issueServerCertificate } from '../../../xds-server/src/tls/certificates.js';
import type { ObjectChange } from '../sources/kubernetes/reflector.js';
import type { ClusterState, SupportedKind } from '../store/cluster-state.js';
import { clusterStateOf } from '../store/cluster-state.js';
import { toTypedObject } from '../store/typed-objects.js';
import { compareStrings } from '../util/compare.js';

type Versioned = { metadata?: { resourceVersion?: string } };

export class World {
  private readonly objects = new Map<SupportedKind, Map<string, Versioned>>();
  private version = 1;

  constructor(readonly r: () => number) {}

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.r() * list.length)] as T;
  }

  chance(p: number): boolean {
    return this.r() < p;
  }

  put(kind: SupportedKind, raw: Record<string, unknown>): ObjectChange {
    const metadata = raw['metadata'] as { namespace?: string; name: string; resourceVersion?: string };
    metadata.resourceVersion = String(this.version++);
    const key = `${metadata.namespace ?? ''}/${metadata.name}`;
    const byKey = this.objects.get(kind) ?? new Map<string, Versioned>();
    this.objects.set(kind, byKey);
    const previous = byKey.get(key);
    const current = toTypedObject<Versioned>(kind, raw);
    byKey.set(key, current);
    return { kind, key, ...(previous ? { previous } : {}), current };
  }

  remove(kind: SupportedKind, key: string): ObjectChange | undefined {
    const previous = this.objects.get(kind)?.get(key);
    if (!previous) return undefined;
    this.objects.get(kind)?.delete(key);
    return { kind, key, previous };
  }

  /** The same object handed over again (a relist): same resourceVersion. */
  again(): ObjectChange | undefined {
    const all = [...this.objects].flatMap(([kind, byKey]) => [...byKey].map(([key, object]) => ({ kind, key, object })));
    if (all.length === 0) return undefined;
    const { kind, key, object } = this.pick(all);
    return { kind, key, previous: object, current: object };
  }

  keys(kind: SupportedKind): string[] {
    return [...(this.objects.get(kind)?.keys() ?? [])];
  }

  state(): ClusterState {
    const of = <T>(kind: SupportedKind): T[] => [...(this.objects.get(kind) ?? new Map<string, Versioned>()).entries()].sort(([a], [b]) => compareStrings(a, b)).map(([, o]) => o as T);
    return clusterStateOf(of);
  }
}

/** Serving certificates (chain with the CA, key) for `x.example.com, y.example.com` and `*.example.com`. */
export async function exampleCertificates(caName: string): Promise<{ cert: string; key: string }[]> {
  const ca = await createCa(caName);
  const pairs = await Promise.all([['x.example.com', 'y.example.com'], ['*.example.com']].map((dnsNames) => issueServerCertificate(ca, { dnsNames })));
  return pairs.map((pair) => ({ cert: pair.cert + ca.cert, key: pair.key }));
}
