// Code-unit string ordering: unlike localeCompare it cannot change with the ICU data of the Node
// build, so sorted output stays byte-identical everywhere.
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The very same items in the same order (a plain loop: it runs over lists of tens of thousands). */
export function sameItems(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
