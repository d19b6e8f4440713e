// A local TLS tunnel for proxyless gRPC clients: @grpc/grpc-js-xds 1.14 cannot present a client
// certificate on its xDS channel (its bootstrap accepts only "insecure" and "google_default"
// channel_creds), so the e2e clients dial a plain-text port on loopback here and each connection
// is carried over mutual TLS to Portico with the fleet's client certificate: what a sidecar or a
// node-local tunnel does for such clients in a cluster (docs/xds.md, "Trust").
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect } from 'node:tls';

export interface TunnelCredentials {
  cert: string;
  key: string;
  ca: string;
}

export interface TlsTunnel {
  /** 127.0.0.1:<port>, plain text. */
  address: string;
  close(): void;
}

/**
 * Clients can be made before the credentials exist: each connection asks for them when it
 * arrives (the leader writes the fleet's Secret a moment after the fleet appears).
 */
export async function startTlsTunnel(target: { host: string; port: number; serverName: string }, credentials: () => Promise<TunnelCredentials>): Promise<TlsTunnel> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((plain) => {
    sockets.add(plain);
    plain.on('close', () => sockets.delete(plain));
    plain.pause();
    credentials().then(
      ({ cert, key, ca }) => {
        if (plain.destroyed) return;
        const secure = connect({ host: target.host, port: target.port, cert, key, ca, servername: target.serverName, ALPNProtocols: ['h2'] });
        sockets.add(secure);
        secure.on('close', () => sockets.delete(secure));
        secure.on('error', () => plain.destroy());
        plain.on('error', () => secure.destroy());
        secure.on('secureConnect', () => {
          plain.pipe(secure).pipe(plain);
          plain.resume();
        });
      },
      () => plain.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
}
