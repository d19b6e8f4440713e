/** True when `value` holds an ASCII control character, which no header or path may carry. */
export function hasControlCharacter(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * Control characters (C0, DEL, C1) written as `\uXXXX`: text from an object may hold them, and a
 * terminal or log reader must never receive them raw (an escape sequence can rewrite the screen).
 */
export function escapeControlCharacters(text: string): string {
  return text.replace(/\p{Cc}/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A value quoted for a message: JSON quoting (which escapes C0), with C1 and DEL escaped too. */
export function quoted(text: string): string {
  return escapeControlCharacters(JSON.stringify(text));
}
