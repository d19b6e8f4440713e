// Text a client sends (a NACK's error_detail, its user agent, a type URL) is kept, logged and shown
// on /debug/xds only up to a bound. 40 streams NACKing with a 3.9 MB error_detail each, kept per
// stream and per node and logged whole, took a server from 266 to 616 MB RSS, and /debug/xds then
// threw RangeError (Invalid string length) building one string of it all.

/** What is kept of a NACK's error_detail message: Envoy's and gRPC's real messages fit easily. */
export const MAX_ERROR_DETAIL_CHARS = 1024;

/**
 * `text` cut to `max` characters, followed by a marker saying how long it was. The result never
 * shares memory with `text`: V8 may represent a slice as a view into its parent, so a 1 KiB excerpt
 * could otherwise keep a 4 MB message alive for as long as the excerpt is kept.
 */
export function boundText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  // Never split a surrogate pair: half of one is not text.
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return detached(`${text.slice(0, end)}… [truncated: ${text.length} characters in all]`);
}

/** A flat copy that references nothing else (a round trip through bytes forces one). */
function detached(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}
