/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits, which the API server requires. */
export function toMicroTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
