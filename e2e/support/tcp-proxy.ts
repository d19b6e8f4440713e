// A TCP relay on loopback that a test can silence: while blackholed, it keeps every connection
// open but passes nothing, in either direction, and accepts new connections that go nowhere, as
// when packets are dropped between a process and the API server (half-open connections, no
// errors, no resets). Used to take one operator replica off the API server without stopping it:
// a graceful stop would release its Lease, and a reset would fail its requests at once.
import { connect, createServer } from 'node:net';
import type { Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Stops relaying without closing anything, until restore(). */
  blackhole(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(upstreamHost: string, upstreamPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let silent = false;
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    client.on('error', () => undefined);
    if (silent) {
      client.on('data', () => undefined); // read and drop, for ever
      return;
    }
    const upstream = connect(upstreamPort, upstreamHost);
    track(upstream);
    client.on('data', (chunk: Buffer) => {
      if (!silent) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!silent) client.write(chunk);
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  return {
    port,
    blackhole() {
      silent = true;
    },
    restore() {
      silent = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
