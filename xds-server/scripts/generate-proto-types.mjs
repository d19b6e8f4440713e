// Generates TypeScript types for the Envoy messages Portico builds and serves, from the
// .proto files shipped inside @grpc/grpc-js-xds. Runs on `npm ci` (the "prepare" script), so the
// generated folder is never committed and always matches the installed protos.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rmSync } from 'node:fs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const xdsPackage = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const outDir = join(here, '..', 'src', 'generated');

const includeDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(xdsPackage, 'deps', d));
const rootProtos = [
  'envoy/config/listener/v3/listener.proto',
  'envoy/config/route/v3/route.proto',
  'envoy/config/cluster/v3/cluster.proto',
  'envoy/config/endpoint/v3/endpoint.proto',
  'envoy/config/bootstrap/v3/bootstrap.proto',
  'envoy/extensions/filters/network/http_connection_manager/v3/http_connection_manager.proto',
  'envoy/extensions/filters/http/router/v3/router.proto',
  'envoy/extensions/transport_sockets/tls/v3/secret.proto',
  'envoy/service/discovery/v3/ads.proto',
  'envoy/extensions/access_loggers/stream/v3/stream.proto',
  'envoy/extensions/filters/http/buffer/v3/buffer.proto',
];

rmSync(outDir, { recursive: true, force: true });
const generator = join(dirname(require.resolve('@grpc/proto-loader/package.json')), 'build', 'bin', 'proto-loader-gen-types.js');
execFileSync(process.execPath, [
  generator,
  '--keepCase', '--longs=String', '--enums=String', '--defaults=false', '--oneofs', '--json',
  '--grpcLib=@grpc/grpc-js', '--importFileExtension=.js',
  ...includeDirs.flatMap((d) => ['-I', d]),
  '-O', outDir,
  ...rootProtos,
], { stdio: 'inherit' });
