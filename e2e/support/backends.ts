// Backends for end-to-end tests: plain grpc-js servers on 127.0.0.1 that answer every call with
// their own name, so a test sees which one a request reached. Messages are raw bytes, no protos.
import * as grpc from '@grpc/grpc-js';

/** The methods every backend serves; routes can tell them apart by path. */
export const WHO_METHODS = ['/portico.e2e.Echo/Who', '/portico.e2e.Admin/Who'] as const;
export type WhoMethod = (typeof WHO_METHODS)[number];

const identity = (bytes: Buffer): Buffer => bytes;

export interface Backend {
  name: string;
  port: number;
  stop(): Promise<void>;
}

export async function startBackend(name: string): Promise<Backend> {
  const server = new grpc.Server();
  const answer: grpc.handleUnaryCall<Buffer, Buffer> = (_call, callback) => callback(null, Buffer.from(name));
  const definition: grpc.ServiceDefinition = Object.fromEntries(
    WHO_METHODS.map((path) => [path, { path, requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity }]),
  );
  server.addService(definition, Object.fromEntries(WHO_METHODS.map((path) => [path, answer])));
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return { name, port, stop: () => new Promise((resolve) => server.tryShutdown(() => resolve())) };
}

/** One unary call; resolves with the backend's name or rejects with the gRPC error. */
export function who(client: grpc.Client, method: WhoMethod = '/portico.e2e.Echo/Who', deadlineMs = 500): Promise<string> {
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(method, identity, identity, Buffer.alloc(0), { deadline: Date.now() + deadlineMs }, (error, response) => {
      if (error) reject(error);
      else resolve(response?.toString() ?? '');
    });
  });
}
