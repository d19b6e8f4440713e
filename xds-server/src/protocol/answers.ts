// ACK/NACK bookkeeping of one stream type, the same for SotW and Delta but for two behaviour
// flags: which nonces still count (everyResponseAnswered) and what resolves a NACK
// (nackResolvedPerResource). A NACK is recorded once per rejected response and reported through
// the hooks with the origins of what was rejected; the client keeps its old resources and the
// rejected versions are not re-sent, so there is no error loop.
import { originsOf } from '../cache/fleet-snapshot.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { rejectedResourceNames } from './nack.js';
import type { NackEvent, StreamReport } from './nack.js';
import type { StreamHandle, StreamHooks } from './stream-environment.js';
import type { RequestEnvelope, StreamProtocol } from './stream-protocol.js';
import type { SentResponse, SubscriptionView, TypeState } from './type-state.js';

/** What booking an answer needs of its stream. */
export interface AnswerDesk {
  readonly stream: StreamHandle;
  readonly hooks: StreamHooks;
  readonly rules: Pick<StreamProtocol<unknown, never>, 'everyResponseAnswered' | 'nackResolvedPerResource'>;
  reportHeader(kind: ResourceKind): StreamReport;
  /** A version string from the client, bounded as the stream keeps it. */
  clientVersion(version: string): string;
  /** error_detail.message as NACK events keep it (bounded). */
  errorMessageOf(detail: string): string;
}

/**
 * `booked`: an ACK or NACK of a response (which may release removals held for it); `none`: no
 * answer in the request; `stale`: a nonce no longer (or never) known, counted; `superseded`
 * (SotW): the request answers an older response and is ignored whole.
 */
export type AnswerOutcome = 'booked' | 'none' | 'stale' | 'superseded';

type AnyState = TypeState<{ readonly subscription: SubscriptionView }>;

/** Books the answer a request carries: ACK or NACK, told apart by error_detail only. */
export function takeAnswer(desk: AnswerDesk, kind: ResourceKind, state: AnyState, envelope: RequestEnvelope): AnswerOutcome {
  const { nonce } = envelope;
  if (nonce === '') return 'none';
  const sent = state.unanswered.get(nonce);
  if (sent) {
    state.unanswered.delete(nonce);
    if (envelope.error) recordNack(desk, kind, state, sent, envelope);
    else recordAck(desk, kind, state, sent, envelope);
    return 'booked';
  }
  if (desk.rules.everyResponseAnswered) {
    // Delta: a forgotten or made-up nonce; the request's subscription change still counts.
    desk.hooks.staleNonce(desk.stream, kind);
    return 'stale';
  }
  const last = state.lastResponse;
  if (!last) return 'none';
  if (nonce !== last.nonce) {
    desk.hooks.staleNonce(desk.stream, kind);
    return 'superseded';
  }
  // The newest response answered again (grpc-js-xds repeats its answer on every subscription
  // change): only a NACK not booked yet for it counts.
  if (envelope.error && state.lastNack?.nonce !== last.nonce) recordNack(desk, kind, state, last, envelope);
  return 'booked';
}

function recordAck(desk: AnswerDesk, kind: ResourceKind, state: AnyState, sent: SentResponse, envelope: RequestEnvelope): void {
  // SotW reports the version the client says it took; Delta requests carry none: the one sent.
  const version = envelope.clientVersion !== undefined ? desk.clientVersion(envelope.clientVersion) : sent.version;
  state.ackedVersion = version;
  desk.hooks.acked(desk.stream, kind, version, sent.at);
  const previous = state.lastNack;
  if (!previous) return;
  if (desk.rules.nackResolvedPerResource) {
    const { unresolved } = state;
    for (const name of [...sent.names, ...sent.removed]) unresolved.delete(name);
    for (const name of [...unresolved]) if (!state.view.subscription.covers(name)) unresolved.delete(name);
    if (unresolved.size > 0) return;
  }
  state.lastNack = undefined;
  desk.hooks.nackResolved({ ...desk.reportHeader(kind), version, previous });
}

function recordNack(desk: AnswerDesk, kind: ResourceKind, state: AnyState, sent: SentResponse, envelope: RequestEnvelope): void {
  const detail = envelope.error?.message ?? '';
  const rejected = rejectedResourceNames(detail, sent.names);
  const event: NackEvent = {
    ...desk.reportHeader(kind),
    nonce: sent.nonce,
    rejectedVersion: sent.version,
    // Delta requests carry no version: the last accepted response's is what the client uses.
    clientVersion: envelope.clientVersion !== undefined ? desk.clientVersion(envelope.clientVersion) : (state.ackedVersion ?? ''),
    responseResources: sent.names,
    rejectedResources: rejected,
    errorCode: envelope.error?.code ?? 0,
    errorMessage: desk.errorMessageOf(detail),
    origins: originsOf(sent.snapshot, kind, rejected),
  };
  state.nackCount += 1;
  state.lastNack = event;
  if (desk.rules.nackResolvedPerResource) for (const name of rejected) state.unresolved.add(name);
  desk.hooks.nacked(event);
}
