// The ADS methods (SotW and Delta) as grpc-js sees them. Requests are decoded with protobufjs; responses are already
// bytes (assembled from pre-encoded resources), so serialization is the identity. Going through
// proto-loader instead would re-encode every resource for every stream.
import type * as grpc from '@grpc/grpc-js';
import type { DeltaDiscoveryRequest__Output } from '../generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';
import type { DiscoveryRequest__Output } from '../generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import { messageType } from '../protos/envoy-protos.js';

export const ADS_SERVICE = 'envoy.service.discovery.v3.AggregatedDiscoveryService';
export const STREAM_AGGREGATED_RESOURCES = `/${ADS_SERVICE}/StreamAggregatedResources`;
export const DELTA_AGGREGATED_RESOURCES = `/${ADS_SERVICE}/DeltaAggregatedResources`;

const DECODE_OPTIONS = { longs: String, enums: String, arrays: true, defaults: false } as const;

export function decodeDiscoveryRequest(bytes: Buffer): DiscoveryRequest__Output {
  const type = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  return type.toObject(type.decode(bytes), DECODE_OPTIONS) as DiscoveryRequest__Output;
}

export function encodeDiscoveryRequest(request: object): Buffer {
  const type = messageType('envoy.service.discovery.v3.DiscoveryRequest');
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}

export function decodeDeltaDiscoveryRequest(bytes: Buffer): DeltaDiscoveryRequest__Output {
  const type = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  return type.toObject(type.decode(bytes), DECODE_OPTIONS) as DeltaDiscoveryRequest__Output;
}

export function encodeDeltaDiscoveryRequest(request: object): Buffer {
  const type = messageType('envoy.service.discovery.v3.DeltaDiscoveryRequest');
  return Buffer.from(type.encode(type.fromObject(request)).finish());
}

const identity = (bytes: Buffer): Buffer => bytes;

export const adsServiceDefinition = {
  StreamAggregatedResources: {
    path: STREAM_AGGREGATED_RESOURCES,
    requestStream: true,
    responseStream: true,
    requestSerialize: encodeDiscoveryRequest,
    requestDeserialize: decodeDiscoveryRequest,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
  DeltaAggregatedResources: {
    path: DELTA_AGGREGATED_RESOURCES,
    requestStream: true,
    responseStream: true,
    requestSerialize: encodeDeltaDiscoveryRequest,
    requestDeserialize: decodeDeltaDiscoveryRequest,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
} satisfies grpc.ServiceDefinition;

export type AdsCall = grpc.ServerDuplexStream<DiscoveryRequest__Output, Buffer>;
export type DeltaAdsCall = grpc.ServerDuplexStream<DeltaDiscoveryRequest__Output, Buffer>;
