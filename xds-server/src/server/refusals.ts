// Which status a stream ends with when the server will not serve a request, and why, for the
// refusal counter: malformed requests are INVALID_ARGUMENT, well-formed ones over a limit
// RESOURCE_EXHAUSTED (a client may retry those later, or elsewhere), a fleet the client's
// certificate does not name PERMISSION_DENIED, anything else INTERNAL.
import * as grpc from '@grpc/grpc-js';
import { ProtocolError } from '../protocol/stream-environment.js';
import type { RefusalReason } from './xds-metrics.js';

/** A node opening one stream more than maxStreamsPerNode. */
export class NodeStreamLimitError extends ProtocolError {
  constructor(message: string) {
    super(message, 'resource-exhausted');
  }
}

/** A verified client asking for a fleet its certificate does not name. */
export class PermissionDeniedError extends Error {}

/** The status and counter reason for an error a request caused; undefined for unexpected errors (INTERNAL). */
export function refusalOf(error: unknown): { code: grpc.status; reason: RefusalReason } | undefined {
  if (error instanceof PermissionDeniedError) return { code: grpc.status.PERMISSION_DENIED, reason: 'permission_denied' };
  if (error instanceof NodeStreamLimitError) return { code: grpc.status.RESOURCE_EXHAUSTED, reason: 'streams_per_node' };
  if (!(error instanceof ProtocolError)) return undefined;
  if (error.kind === 'invalid-argument') return { code: grpc.status.INVALID_ARGUMENT, reason: 'invalid_request' };
  return { code: grpc.status.RESOURCE_EXHAUSTED, reason: 'limit_exceeded' };
}
