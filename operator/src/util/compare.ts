// Code-unit string ordering: unlike localeCompare it cannot change with the ICU data of the Node
// build, so sorted output stays byte-identical everywhere.
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
