// Generates TypeScript types for the Envoy messages Portico builds and serves, from the
// .proto files shipped inside @grpc/grpc-js-xds. Runs on `npm ci` (the "prepare" script), so the
// generated folder is never committed and always matches the installed protos.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync, rmSync } from 'node:fs';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const xdsPackage = dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
const outDir = join(here, '..', 'src', 'generated');

const includeDirs = ['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((d) => join(xdsPackage, 'deps', d));
const rootProtos = JSON.parse(readFileSync(join(here, '..', 'src', 'protos', 'root-protos.json'), 'utf8')).protos;

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
