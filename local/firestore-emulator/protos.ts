import { createRequire } from 'node:module';
import path from 'node:path';
import { type GrpcObject, loadPackageDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/*
 * The google.firestore.v1.Firestore service definition, from the protos that
 * @google-cloud/firestore itself ships, so the emulator and the client agree
 * on the wire format of the installed client version.
 */

const require = createRequire(import.meta.url);

function protoRoot(): string {
  // The package's entry point is build/src/index.js; its protos are in build/protos.
  return path.join(path.dirname(require.resolve('@google-cloud/firestore')), '..', 'protos');
}

let cached: ServiceDefinition | undefined;

export function firestoreServiceDefinition(): ServiceDefinition {
  if (cached) return cached;
  const definition = loadSync('google/firestore/v1/firestore.proto', {
    includeDirs: [protoRoot()],
    keepCase: false,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const root = loadPackageDefinition(definition);
  const v1 = ((root.google as GrpcObject).firestore as GrpcObject).v1 as GrpcObject;
  cached = (v1.Firestore as unknown as { service: ServiceDefinition }).service;
  return cached;
}
