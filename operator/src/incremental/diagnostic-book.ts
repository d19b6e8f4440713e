// A translation's diagnostics by object, so re-translating some Ingresses replaces theirs alone.
// list() gives what a full translation gives: grouped by object in compareStrings order, each
// object's diagnostics in the order they were found.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { compareStrings } from '../util/compare.js';

export class DiagnosticBook {
  private readonly byObject = new Map<string, Diagnostic[]>();
  private listed: Diagnostic[] | undefined;

  /** @param sorted a full translation's diagnostics (already grouped by object). */
  constructor(sorted: readonly Diagnostic[]) {
    for (const diagnostic of sorted) this.add(diagnostic);
  }

  /** Forgets every diagnostic of these objects. */
  forget(objects: Iterable<string>): void {
    for (const object of objects) if (this.byObject.delete(object)) this.listed = undefined;
  }

  add(diagnostic: Diagnostic): void {
    const list = this.byObject.get(diagnostic.object);
    if (list) list.push(diagnostic);
    else this.byObject.set(diagnostic.object, [diagnostic]);
    this.listed = undefined;
  }

  some(predicate: (object: string) => boolean): boolean {
    for (const object of this.byObject.keys()) if (predicate(object)) return true;
    return false;
  }

  list(): Diagnostic[] {
    this.listed ??= [...this.byObject.keys()].sort(compareStrings).flatMap((object) => this.byObject.get(object) ?? []);
    return this.listed;
  }
}
