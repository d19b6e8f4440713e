// Ends a gRPC server call at once by resetting its HTTP/2 stream. A status cannot reach a client
// that stopped reading: trailers queue behind the response it does not read, and that response
// stays in the server's memory for as long as the stream lives. grpc-js has no public way to
// reset a server stream, so this finds the HTTP/2 stream under the call (grpc-js 1.14 keeps it at
// call.call[.nextCall…].stream). If a grpc-js upgrade moves it, resetCall returns false and
// slow-readers.test.ts ("resets a client that never reads after writeTimeoutMs…") fails.
import { constants } from 'node:http2';

interface ResettableStream {
  close(code: number): void;
  readonly destroyed: boolean;
}

/**
 * Resets the call's stream with REFUSED_STREAM, the only reset code gRPC clients report as
 * UNAVAILABLE: the status that says "reconnect, possibly elsewhere" (as max connection age does).
 * Returns false when the stream could not be found.
 */
export function resetCall(call: object): boolean {
  const stream = http2StreamOf(call);
  if (!stream) return false;
  if (!stream.destroyed) stream.close(constants.NGHTTP2_REFUSED_STREAM);
  return true;
}

function http2StreamOf(call: object): ResettableStream | undefined {
  let layer: unknown = Reflect.get(call, 'call');
  // Interceptors wrap the base call; each layer holds the next in `nextCall`.
  for (let depth = 0; depth < 8 && isObject(layer); depth++) {
    const stream: unknown = Reflect.get(layer, 'stream');
    if (isResettable(stream)) return stream;
    layer = Reflect.get(layer, 'nextCall');
  }
  return undefined;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

function isResettable(value: unknown): value is ResettableStream {
  return isObject(value) && typeof Reflect.get(value, 'close') === 'function' && typeof Reflect.get(value, 'destroyed') === 'boolean' && 'rstCode' in value;
}
