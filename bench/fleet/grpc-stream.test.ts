// The simulated fleet's gRPC stream (grpc-stream.ts) against a real grpc-js server, and against a
// raw HTTP/2 server that splits its bytes where a gRPC framer must not be caught out.
import * as grpc from '@grpc/grpc-js';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { GrpcStream, connect } from './grpc-stream.js';
import type { StreamStatus } from './grpc-stream.js';

const METHOD = '/portico.test.Echo/Chat';
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A client stream that records what it receives and how it ends. */
function open(address: string, path = METHOD) {
  const session = connect(address)();
  const messages: Buffer[] = [];
  let status: StreamStatus | undefined;
  const stream = new GrpcStream(session, path, (m) => void messages.push(Buffer.from(m)), (s) => (status = s));
  cleanups.push(() => session.destroy());
  const until = async (done: () => boolean): Promise<void> => {
    for (let i = 0; i < 200 && !done(); i++) await sleep(10);
  };
  return { stream, messages, status: () => status, until };
}

async function grpcEchoServer(): Promise<string> {
  const server = new grpc.Server();
  const identity = (b: Buffer): Buffer => b;
  server.addService(
    { chat: { path: METHOD, requestStream: true, responseStream: true, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity } },
    {
      chat: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
        call.on('data', (message: Buffer) => {
          if (message.toString() === 'fail') call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: 'refused: 100 % sure, ü' });
          else call.write(message);
        });
      },
    },
  );
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  cleanups.push(() => server.forceShutdown());
  return `127.0.0.1:${port}`;
}

/** An HTTP/2 server that answers every stream with `respond`. */
async function rawServer(respond: (stream: http2.ServerHttp2Stream) => Promise<void>): Promise<string> {
  const server = http2.createServer();
  server.on('stream', (stream) => void respond(stream).catch(() => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function framed(message: Buffer): Buffer {
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return Buffer.concat([prefix, message]);
}

describe('GrpcStream', () => {
  it('exchanges messages of every size with a grpc-js server, an empty one and one of 3 MB among them', async () => {
    const client = open(await grpcEchoServer());
    const sizes = [0, 1, 5, 16_384, 100_000, 3 * 1024 * 1024];
    const sent = sizes.map((size, i) => Buffer.alloc(size, i + 1));
    for (const message of sent) client.stream.write(message);
    await client.until(() => client.messages.length === sent.length);
    expect(client.messages.map((m) => m.length)).toEqual(sizes);
    expect(client.messages.every((m, i) => m.equals(sent[i] as Buffer))).toBe(true);
    expect(client.status()).toBeUndefined();
  });

  it("reports the server's status from the trailers, its message decoded", async () => {
    const client = open(await grpcEchoServer());
    client.stream.write(Buffer.from('hello'));
    client.stream.write(Buffer.from('fail'));
    await client.until(() => client.status() !== undefined);
    expect(client.messages.map(String)).toEqual(['hello']);
    expect(client.status()).toEqual({ code: grpc.status.INVALID_ARGUMENT, details: 'refused: 100 % sure, ü' });
  });

  it('takes messages split anywhere across DATA frames, and several in one', async () => {
    const one = framed(Buffer.from('first message'));
    const two = framed(Buffer.from('second'));
    const empty = framed(Buffer.alloc(0));
    const three = framed(Buffer.from('third'));
    // A prefix cut in two, a body cut in two, two messages and an empty one in one frame, the
    // empty one's prefix ending a frame.
    const pieces = [one.subarray(0, 3), one.subarray(3, 9), one.subarray(9), Buffer.concat([two, empty]), three.subarray(0, 5), three.subarray(5)];
    const address = await rawServer(async (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': '%zz' }));
      for (const piece of pieces) {
        stream.write(piece);
        await sleep(15);
      }
      stream.end();
    });
    const client = open(address);
    await client.until(() => client.status() !== undefined);
    expect(client.messages.map(String)).toEqual(['first message', 'second', '', 'third']);
    // A malformed grpc-message is shown as it came.
    expect(client.status()).toEqual({ code: 0, details: '%zz' });
  });

  it('ends the stream, not the process, on a compressed message it cannot read; and reports a trailers-only refusal', async () => {
    const compressed = Buffer.from([1, 0, 0, 0, 1, 42]);
    const bad = open(await rawServer(async (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
      stream.write(compressed);
    }));
    await bad.until(() => bad.status() !== undefined);
    expect(bad.status()?.code).toBe(grpc.status.INTERNAL);
    expect(bad.status()?.details).toContain('compressed');

    const refused = open(await rawServer(async (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'no%20token' }, { endStream: true });
    }));
    await refused.until(() => refused.status() !== undefined);
    expect(refused.status()).toEqual({ code: grpc.status.UNAUTHENTICATED, details: 'no token' });
  });
});
