// Writes one response to a gRPC call and notices when it does not drain. A client that stops
// reading leaves the write pending forever (HTTP/2 flow control stops the data, and its transport
// still answers keepalive pings, so keepalive never notices), holding the response in memory and
// the stream's share of the push budget. After `deadlineMs` without the write completing,
// `onMissed` is told; the server then closes the stream, which gives everything back.
import type { Writable } from 'node:stream';

export const DEFAULT_WRITE_TIMEOUT_MS = 30_000;

/** Returns a function that cancels the deadline (for a stream that ends while the write is pending). */
export function writeWithDeadline(call: Writable, bytes: Buffer, done: () => void, deadlineMs: number, onMissed: () => void): () => void {
  if (call.writableEnded || call.destroyed) {
    done();
    return () => undefined;
  }
  const deadline = setTimeout(onMissed, deadlineMs);
  deadline.unref();
  call.write(bytes, () => {
    clearTimeout(deadline);
    done();
  });
  return () => clearTimeout(deadline);
}
