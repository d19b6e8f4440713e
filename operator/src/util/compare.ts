// Code-unit string ordering: unlike localeCompare it cannot change with the ICU data of the Node
// build, so sorted output stays byte-identical everywhere.
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Where `key` is, or would be inserted, among items sorted by `keyOf` in code-unit order: the
 * first index whose key is not below it. A binary search: the lists run to tens of thousands.
 */
export function lowerBound<T>(items: readonly T[], key: string, keyOf: (item: T) => string): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareStrings(keyOf(items[middle] as T), key) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** The very same items in the same order (a plain loop: it runs over lists of tens of thousands). */
export function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
