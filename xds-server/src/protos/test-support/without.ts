/** A shallow copy of `object` lacking `keys`, for building "field missing" test cases. */
export function without<T extends object, K extends keyof T>(object: T, ...keys: K[]): Omit<T, K> {
  const copy: Partial<T> = { ...object };
  for (const key of keys) delete copy[key];
  return copy as Omit<T, K>;
}
