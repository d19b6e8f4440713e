// DiscoveryResponse bytes assembled from pre-encoded resources. Every stream shares the resource
// bytes; only the nonce (and the list of resources, for named subscriptions) is per stream.
import type { EncodedResource } from '../cache/encoded-resource.js';
import { lengthDelimitedField, stringField } from '../protos/wire-format.js';

// Field numbers of envoy.service.discovery.v3.DiscoveryResponse.
const VERSION_INFO = 1;
const TYPE_URL = 4;
const NONCE = 5;
const CONTROL_PLANE = 6;
// envoy.config.core.v3.ControlPlane.identifier
const CONTROL_PLANE_IDENTIFIER = 1;

export interface ResponseHeader {
  versionInfo: string;
  typeUrl: string;
  /** Shown by Envoy as control_plane.identifier: which server sent the configuration. */
  controlPlaneId?: string;
}

/** Everything but the nonce; callers may reuse it for every stream that gets the same resources. */
export function encodeResponseBody(header: ResponseHeader, resources: Iterable<EncodedResource>): Buffer {
  const parts: Buffer[] = [stringField(VERSION_INFO, header.versionInfo)];
  // A loop, not a spread: a large route table is one piece per host.
  for (const resource of resources) for (const part of resource.responseParts) parts.push(part);
  parts.push(stringField(TYPE_URL, header.typeUrl));
  if (header.controlPlaneId) {
    parts.push(lengthDelimitedField(CONTROL_PLANE, stringField(CONTROL_PLANE_IDENTIFIER, header.controlPlaneId)));
  }
  return Buffer.concat(parts);
}

export function withNonce(body: Buffer, nonce: string): Buffer {
  return Buffer.concat([body, stringField(NONCE, nonce)]);
}
