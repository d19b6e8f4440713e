// Loads the Envoy v3 API from the .proto files shipped in @grpc/grpc-js-xds, once per process.
// Everything that encodes, decodes, prints or validates Envoy messages goes through this Root,
// so there is exactly one definition of every message in the process.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import protobuf from 'protobufjs';
import rootProtos from './root-protos.json' with { type: 'json' };

const require = createRequire(import.meta.url);


export const TYPE_URL_PREFIX = 'type.googleapis.com/';

/** The xDS resource types Portico serves, keyed by a short name used across the code. */
export const RESOURCE_TYPES = {
  cluster: 'envoy.config.cluster.v3.Cluster',
  clusterLoadAssignment: 'envoy.config.endpoint.v3.ClusterLoadAssignment',
  listener: 'envoy.config.listener.v3.Listener',
  routeConfiguration: 'envoy.config.route.v3.RouteConfiguration',
  /** Served to Delta clients only (VHDS); see cache/virtual-host-discovery.ts. */
  virtualHost: 'envoy.config.route.v3.VirtualHost',
  secret: 'envoy.extensions.transport_sockets.tls.v3.Secret',
} as const;

export type ResourceKind = keyof typeof RESOURCE_TYPES;

export function typeUrlOf(kind: ResourceKind): string {
  return TYPE_URL_PREFIX + RESOURCE_TYPES[kind];
}

let cachedRoot: protobuf.Root | undefined;

function protoIncludeDirs(): string[] {
  const xdsPackage = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const protobufjsPackage = dirname(require.resolve('protobufjs/package.json'));
  return [
    ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(xdsPackage, 'deps', d)),
    // google/protobuf/descriptor.proto (needed by validate.proto) lives here.
    protobufjsPackage,
  ];
}

/** The protobufjs Root holding every Envoy message Portico uses. */
export function envoyProtos(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  const includeDirs = protoIncludeDirs();
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    for (const dir of includeDirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    // protobufjs serves the well-known types (any, duration, struct, …) from memory.
    return protobuf.util.path.resolve(origin, target);
  };
  root.loadSync(rootProtos.protos, { keepCase: true, alternateCommentMode: false });
  root.resolveAll();
  cachedRoot = root;
  return root;
}

const typesByName = new Map<string, protobuf.Type>();

/**
 * Looks up a message type by its full name (without a leading dot). Remembered: protobufjs walks
 * the namespaces on every lookup, and every request decoded asks for its type.
 */
export function messageType(fullName: string): protobuf.Type {
  let type = typesByName.get(fullName);
  if (!type) {
    type = envoyProtos().lookupType(fullName);
    typesByName.set(fullName, type);
  }
  return type;
}

/**
 * Encodes a message given in proto-loader's object form (the generated TypeScript types), with
 * Anys written as `{ '@type': url, ...fields }`.
 */
export function encodeMessage(fullName: string, object: object): Uint8Array {
  const type = messageType(fullName);
  return type.encode(type.fromObject(object)).finish();
}

/** Decodes bytes into proto-loader's object form, with Anys unpacked under '@type'. */
export function decodeMessage(fullName: string, bytes: Uint8Array): Record<string, unknown> {
  const type = messageType(fullName);
  return type.toObject(type.decode(bytes), { json: true, enums: String, longs: String, oneofs: false }) as Record<string, unknown>;
}
