// A backend process for e2e/support/netns.ts, run inside a test network namespace:
//   ip netns exec <ns> node --import tsx e2e/support/netns-backend-main.ts <name> <address> <port>
// The same answer-your-name gRPC server as backends.ts (same methods, raw bytes), but bound to a
// given non-loopback address, since EndpointSlices reject 127.0.0.0/8. Prints one JSON line once
// listening. Exits when its stdin closes, so it cannot outlive the test process that started it.
import * as grpc from '@grpc/grpc-js';
import { WHO_METHODS } from './backends.js';

const [name, address, portText] = process.argv.slice(2);
if (!name || !address || !portText) {
  process.stderr.write('usage: netns-backend-main.ts <name> <address> <port>\n');
  process.exit(2);
}

const identity = (bytes: Buffer): Buffer => bytes;
const answer: grpc.handleUnaryCall<Buffer, Buffer> = (_call, callback) => callback(null, Buffer.from(name));
const server = new grpc.Server();
const definition: grpc.ServiceDefinition = Object.fromEntries(
  WHO_METHODS.map((path) => [path, { path, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity }]),
);
server.addService(definition, Object.fromEntries(WHO_METHODS.map((path) => [path, answer])));

const stop = (): void => {
  server.forceShutdown();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();

server.bindAsync(`${address}:${portText}`, grpc.ServerCredentials.createInsecure(), (error, port) => {
  if (error) {
    process.stderr.write(`bind ${address}:${portText}: ${error.message}\n`);
    process.exit(1);
  }
  process.stdout.write(JSON.stringify({ event: 'listening', name, address, port }) + '\n');
});
