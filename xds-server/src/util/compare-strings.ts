/** Code-unit order, the same on every machine and locale (names are sorted for stable output). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
