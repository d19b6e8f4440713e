// The fields of an `xds.nack` log line. A rejected response can hold thousands of resources, and a
// client that names none of them in its error blames them all: the line lists the first few, with
// counts, and the error message as the stream kept it (bounded), so one NACK is one short line.
import type { LogFields } from '../../../observability/src/index.js';
import type { NackEvent } from '../protocol/nack.js';

/** Resource names and origins listed per line; the counts say how many there were. */
export const NAMES_PER_LOG_LINE = 20;

export function nackLogFields(event: NackEvent): LogFields {
  return {
    nodeId: event.nodeId,
    fleet: event.fleet,
    streamId: event.streamId,
    typeUrl: event.typeUrl,
    nonce: event.nonce,
    rejectedVersion: event.rejectedVersion,
    clientVersion: event.clientVersion,
    resources: event.rejectedResources.slice(0, NAMES_PER_LOG_LINE),
    resourceCount: event.rejectedResources.length,
    origins: event.origins.slice(0, NAMES_PER_LOG_LINE),
    originCount: event.origins.length,
    errorCode: event.errorCode,
    errorDetail: event.errorMessage,
  };
}
