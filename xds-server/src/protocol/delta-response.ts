// DeltaDiscoveryResponse bytes assembled from pre-encoded resources, as discovery-response.ts does
// for SotW. Each resource's `Resource{version, resource: Any, name}` field is built once per
// resource version and shared by every Delta stream; only the list, removals and nonce are per
// stream.
import type { EncodedResource } from '../cache/encoded-resource.js';
import { typeUrlOf } from '../protos/envoy-protos.js';
import { encodeAny, lengthDelimitedField, ownedCopy, stringField } from '../protos/wire-format.js';

// Field numbers of envoy.service.discovery.v3.DeltaDiscoveryResponse.
const SYSTEM_VERSION_INFO = 1;
const RESOURCES = 2;
const TYPE_URL = 4;
const NONCE = 5;
const REMOVED_RESOURCES = 6;
const CONTROL_PLANE = 7;
// envoy.service.discovery.v3.Resource
const RESOURCE_VERSION = 1;
const RESOURCE_ANY = 2;
const RESOURCE_NAME = 3;
// envoy.config.core.v3.ControlPlane.identifier
const CONTROL_PLANE_IDENTIFIER = 1;

export interface DeltaResponseHeader {
  /** Debugging only (the spec says so); Portico sends the fleet's type version. */
  systemVersionInfo: string;
  typeUrl: string;
  controlPlaneId?: string;
}

// Keyed by the immutable EncodedResource: the field dies with the resource version it wraps.
const resourceFields = new WeakMap<EncodedResource, Buffer>();

/** The `resources` field holding this resource, encoded on first use. */
export function deltaResourceField(resource: EncodedResource): Buffer {
  let field = resourceFields.get(resource);
  if (!field) {
    const body = Buffer.concat([
      stringField(RESOURCE_VERSION, resource.version),
      lengthDelimitedField(RESOURCE_ANY, encodeAny(typeUrlOf(resource.kind), resource.bytes)),
      stringField(RESOURCE_NAME, resource.name),
    ]);
    field = ownedCopy(lengthDelimitedField(RESOURCES, body));
    resourceFields.set(resource, field);
  }
  return field;
}

export function encodeDeltaResponse(header: DeltaResponseHeader, resources: readonly EncodedResource[], removed: readonly string[], nonce: string): Buffer {
  const parts: Buffer[] = [stringField(SYSTEM_VERSION_INFO, header.systemVersionInfo)];
  for (const resource of resources) parts.push(deltaResourceField(resource));
  parts.push(stringField(TYPE_URL, header.typeUrl));
  for (const name of removed) parts.push(stringField(REMOVED_RESOURCES, name));
  if (header.controlPlaneId) {
    parts.push(lengthDelimitedField(CONTROL_PLANE, stringField(CONTROL_PLANE_IDENTIFIER, header.controlPlaneId)));
  }
  parts.push(stringField(NONCE, nonce));
  return Buffer.concat(parts);
}
