// The xDS port with mutual TLS. Node's TLS server does the handshake and hands each connection to
// grpc-js through Server.createConnectionInjector (public API), so that:
//  - certificates are swapped without a restart (tls.Server#setSecureContext: new connections
//    use the new ones, open connections and their streams carry on), and
//  - a client whose certificate is missing, expired or from another CA is told why. Node's own
//    rejectUnauthorized closes such a connection after the handshake without a word (TLS 1.3 has
//    no alert for it), which is how a fleet's expired certificate goes unnoticed. Here the
//    connection reaches gRPC, every call on it ends with UNAUTHENTICATED naming the reason (Envoy
//    logs the status message), the server logs it, and the connection is closed a few seconds later.
// Unverified connections never reach a handler that reads a request: XdsServer refuses their
// calls before anything else (see authorizeCall in xds-server.ts).
import { createSecureContext, createServer } from 'node:tls';
import type { SecureContextOptions, Server as TlsServer, TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../../observability/src/index.js';
import type { Counter } from '../../../observability/src/index.js';
import type { TlsMaterial } from './tls-material.js';

/** How long an unverified connection is kept open so that its client can read the refusal. */
const UNVERIFIED_CONNECTION_MS = 5_000;
/** Refused handshakes logged per minute; more are counted only (a scanner must not flood the log). */
const REFUSALS_LOGGED_PER_MINUTE = 20;

/** Why a connection was not verified, as the metric labels it. */
export type TlsRefusalReason = 'no_certificate' | 'expired' | 'not_yet_valid' | 'untrusted' | 'handshake' | 'other';

export interface UnverifiedPeer {
  reason: TlsRefusalReason;
  /** OpenSSL's code (CERT_HAS_EXPIRED, …) or the handshake error's message. */
  detail: string;
}

export class TlsListener {
  private readonly server: TlsServer;
  private readonly injector: grpc.ConnectionInjector;
  /** Connections whose client certificate did not verify, by "address:port" (grpc-js's getPeer). */
  private readonly unverified = new Map<string, UnverifiedPeer>();
  private logged = 0;
  private suppressed = 0;
  private readonly windowTimer: NodeJS.Timeout;

  constructor(
    grpcServer: grpc.Server,
    insecure: grpc.ServerCredentials,
    material: TlsMaterial,
    private readonly logger: Logger,
    private readonly refusals: Counter,
  ) {
    // The injected connections are TLS already; gRPC must not wrap them again.
    this.injector = grpcServer.createConnectionInjector(insecure);
    this.server = createServer({
      ...contextOptions(material),
      requestCert: true,
      // Checked below instead, so that the client can be told why (see the file comment).
      rejectUnauthorized: false,
      ALPNProtocols: ['h2'],
      minVersion: 'TLSv1.2',
    });
    this.server.on('secureConnection', (socket: TLSSocket) => this.accept(socket));
    // The handshake itself failed (no shared cipher, not TLS at all, …).
    this.server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      this.refused(socket, { reason: 'handshake', detail: error.code ?? error.message });
      socket.destroy();
    });
    this.windowTimer = setInterval(() => {
      if (this.suppressed > 0) this.logger.warn('xds.tls_refused_suppressed', { count: this.suppressed, perMinute: REFUSALS_LOGGED_PER_MINUTE });
      this.logged = 0;
      this.suppressed = 0;
    }, 60_000);
    this.windowTimer.unref();
  }

  listen(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /**
   * New certificates (and trusted CAs) for connections from now on. Throws, keeping the current
   * ones, when they do not form a usable context (a key that does not match its certificate).
   */
  update(material: TlsMaterial): void {
    const options = contextOptions(material);
    createSecureContext(options); // validates before anything changes
    this.server.setSecureContext(options);
  }

  /** Why the connection at `peer` (grpc-js getPeer()) did not verify, if it did not. */
  unverifiedPeer(peer: string): UnverifiedPeer | undefined {
    return this.unverified.get(peer);
  }

  /** Stops accepting connections; open ones are left to grpc-js's shutdown. */
  close(): void {
    clearInterval(this.windowTimer);
    this.server.close();
    this.injector.destroy();
  }

  private accept(socket: TLSSocket): void {
    // The client's certificate is checked once, at the handshake: no renegotiation afterwards.
    socket.disableRenegotiation();
    if (!socket.authorized) {
      const code = String(socket.authorizationError ?? 'UNKNOWN');
      const peer = `${socket.remoteAddress}:${socket.remotePort}`;
      const unverified = { reason: refusalReason(code, socket), detail: code };
      this.unverified.set(peer, unverified);
      socket.once('close', () => this.unverified.delete(peer));
      setTimeout(() => socket.destroy(), UNVERIFIED_CONNECTION_MS).unref();
      this.refused(socket, unverified);
    }
    this.injector.injectConnection(socket);
  }

  private refused(socket: TLSSocket, { reason, detail }: UnverifiedPeer): void {
    this.refusals.inc({ reason });
    if (this.logged >= REFUSALS_LOGGED_PER_MINUTE) {
      this.suppressed += 1;
      return;
    }
    this.logged += 1;
    const certificate = socket.getPeerCertificate?.();
    this.logger.warn('xds.tls_refused', {
      // A client that gave up on the handshake itself has closed the connection: no address left.
      peer: socket.remoteAddress ? `${socket.remoteAddress}:${socket.remotePort}` : 'unknown (the client already closed the connection)',
      reason,
      detail,
      ...(certificate && certificate.subject ? { subject: certificate.subject.CN, validTo: certificate.valid_to } : {}),
      hint: hintFor(reason),
    });
  }
}

function contextOptions(material: TlsMaterial): SecureContextOptions {
  return { cert: material.cert, key: material.key, ca: material.ca };
}

function refusalReason(code: string, socket: TLSSocket): TlsRefusalReason {
  if (code === 'CERT_HAS_EXPIRED') return 'expired';
  if (code === 'CERT_NOT_YET_VALID') return 'not_yet_valid';
  // Without a certificate Node reports the missing issuer of a certificate that is not there.
  if (!socket.getPeerCertificate()?.raw) return 'no_certificate';
  if (/UNABLE_TO|SELF_SIGNED|SIGNATURE|UNTRUSTED|INVALID_CA/.test(code)) return 'untrusted';
  return 'other';
}

function hintFor(reason: TlsRefusalReason): string {
  switch (reason) {
    case 'no_certificate':
      return 'the xDS port requires a client certificate: an Envoy bootstrap from `portico bootstrap` (without --plaintext) and its fleet\'s client Secret mounted';
    case 'expired':
      return 'the client certificate has expired: renew it (the operator rewrites portico-xds-client-<fleet> Secrets; cert-manager renews its own), then check the Envoy pod mounts it without subPath';
    case 'not_yet_valid':
      return 'the client certificate is not valid yet: check the clocks';
    case 'untrusted':
      return 'the client certificate is not signed by a CA the xDS server trusts (its ca.crt)';
    default:
      return 'TLS handshake failed: the client may not trust the server certificate (the name it dials, or an old ca.crt after the CA changed), or may not speak TLS at all';
  }
}
