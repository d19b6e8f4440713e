// References indexed both ways: each referrer (an Ingress) → what it refers to, and each target
// (a Service, a Secret) → who refers to it. Updated one referrer at a time, so an event costs the
// size of one object's references, not a scan of every Ingress (Contour's cache scans; Envoy
// Gateway keeps field indexes like these).
const NONE: ReadonlySet<string> = new Set();

export class ReferenceIndex {
  private readonly forward = new Map<string, ReadonlySet<string>>();
  private readonly reverse = new Map<string, Set<string>>();

  /** Replaces what `referrer` refers to (nothing: it is gone). */
  set(referrer: string, targets: Iterable<string>): void {
    const next = new Set(targets);
    const before = this.forward.get(referrer) ?? NONE;
    for (const target of before) if (!next.has(target)) this.unlink(target, referrer);
    for (const target of next) if (!before.has(target)) this.link(target, referrer);
    if (next.size === 0) this.forward.delete(referrer);
    else this.forward.set(referrer, next);
  }

  delete(referrer: string): void {
    this.set(referrer, []);
  }

  /** Who refers to `target`. */
  referrers(target: string): ReadonlySet<string> {
    return this.reverse.get(target) ?? NONE;
  }

  /** What `referrer` refers to. */
  targets(referrer: string): ReadonlySet<string> {
    return this.forward.get(referrer) ?? NONE;
  }

  private link(target: string, referrer: string): void {
    const set = this.reverse.get(target);
    if (set) set.add(referrer);
    else this.reverse.set(target, new Set([referrer]));
  }

  private unlink(target: string, referrer: string): void {
    const set = this.reverse.get(target);
    set?.delete(referrer);
    if (set?.size === 0) this.reverse.delete(target);
  }
}
