// State of the world, as the one stream machine (xds-stream.ts) speaks it. Every request carries
// the full list of names (subscription.ts); what the client holds is what it was sent, by name.
// Listener and Cluster responses carry the full subscribed set (absence deletes), so removing a
// cluster means leaving it out, which is held back by keeping it in the set; the other types
// carry only what is new to the client or changed, and cannot remove anything.
import type { EncodedResource } from '../cache/encoded-resource.js';
import type { TypeSnapshot } from '../cache/fleet-snapshot.js';
import { resourcesNamed } from '../cache/fleet-snapshot.js';
import { versionOfResources } from '../cache/content-version.js';
import type { DiscoveryRequest__Output } from '../generated/envoy/service/discovery/v3/DiscoveryRequest.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { compareStrings } from '../util/compare-strings.js';
import { encodeResponseBody, withNonce } from './discovery-response.js';
import type { ResponseHeader } from './discovery-response.js';
import { isFullStateKind } from './push-order.js';
import { envelopeOf } from './stream-protocol.js';
import type { Selection, StreamProtocol } from './stream-protocol.js';
import { Subscription } from './subscription.js';
import { newTypeState } from './type-state.js';
import type { TypeState } from './type-state.js';

export interface SotwView {
  readonly subscription: Subscription;
  /** What the client was last given, by name: decides what still has to be sent. */
  readonly sent: Map<string, EncodedResource>;
}

type SotwState = TypeState<SotwView>;

export const SOTW: StreamProtocol<DiscoveryRequest__Output, SotwView> = {
  name: 'sotw',
  method: 'ADS',
  everyResponseAnswered: false,
  maxUnanswered: 1,
  nackResolvedPerResource: false,
  // Only LDS/CDS can remove, and only CDS removals can break routes.
  removalsHeldFor: new Set<ResourceKind>(['cluster']),

  envelope: (request) => ({ ...envelopeOf(request), clientVersion: request.version_info ?? '' }),

  typesOf: (snapshot) => snapshot.types,

  newState: (kind, request, context) => newTypeState({ subscription: new Subscription(kind), sent: new Map() }, context.clientVersion(request.version_info), undefined),

  subscribe(_kind, state, request, first, context) {
    const nonce = request.response_nonce ?? '';
    // An empty nonce means the client has seen nothing from us on this type: give it everything.
    if (nonce === '' && !first) state.view.sent.clear();
    const { sent } = state.view;
    const change = state.view.subscription.update(request.resource_names ?? []);
    context.budget.change(change.added, change.removed);
    for (const name of change.removed) {
      sent.delete(name);
      state.forced.delete(name);
    }
    for (const name of change.added) state.forced.add(name);
    if (first || nonce === '' || change.added.length > 0 || change.removed.length > 0 || change.wildcardChanged) state.dirty = true;
  },

  select(kind, state, type, snapshot, holdRemovals) {
    const picked = isFullStateKind(kind) ? pickFullState(state, type, holdRemovals) : pickChanged(state, type);
    return picked ? { ...picked, type, snapshot, removed: [], due: true, holdsRemovals: false } : undefined;
  },

  settle(kind, state, type) {
    const { sent, subscription } = state.view;
    if (isFullStateKind(kind)) {
      // For LDS/CDS `sent` is exactly what the client holds; it changes only with a response.
      if (subscription.empty) sent.clear();
      return holdsRemoved(sent, type);
    }
    // A name that vanished and comes back must be sent again, even with the same content.
    for (const name of [...sent.keys()]) if (!type.resources.has(name)) sent.delete(name);
    return false;
  },

  commit(kind, state, selection) {
    const { sent } = state.view;
    if (isFullStateKind(kind)) sent.clear();
    for (const resource of selection.resources) sent.set(resource.name, resource);
    state.holdingRemovals = holdsRemoved(sent, selection.type);
  },

  encode(selection, nonce, controlPlaneId) {
    const { type } = selection;
    const body = selection.wildcardOnly ? wildcardBody(type, controlPlaneId) : encodeResponseBody(header(type, selection.version, controlPlaneId), selection.resources);
    return withNonce(body, nonce);
  },
};

type Picked = Pick<Selection, 'version' | 'resources' | 'changed' | 'wildcardOnly'>;

/**
 * LDS/CDS: everything subscribed, whenever any of it changed, appeared or disappeared. With
 * `retainRemoved`, resources the client holds that left the configuration are kept in the set
 * (clusters that routes not yet updated may still point at) and removed by a later response.
 */
function pickFullState(state: SotwState, type: TypeSnapshot, retainRemoved: boolean): Picked | undefined {
  const { subscription, sent } = state.view;
  if (subscription.empty) return undefined;
  const resources: EncodedResource[] = [];
  const changed: EncodedResource[] = [];
  for (const resource of type.resources.values()) {
    if (!subscription.includes(resource.name, resource.inWildcard)) continue;
    resources.push(resource);
    if (sent.get(resource.name)?.version !== resource.version || state.forced.has(resource.name)) changed.push(resource);
  }
  let retained = false;
  if (retainRemoved) {
    for (const [name, held] of sent) {
      if (!type.resources.has(name) && subscription.includes(name, held.inWildcard)) {
        resources.push(held);
        retained = true;
      }
    }
    if (retained) resources.sort((a, b) => compareStrings(a.name, b.name));
  }
  const sameSet = changed.length === 0 && resources.length === sent.size;
  if (sameSet && !state.dirty) return undefined;
  const wildcardOnly = !retained && subscription.wildcard && subscription.names.size === 0;
  return { version: wildcardOnly ? type.wildcardVersion : versionOfView(resources), resources, changed, wildcardOnly };
}

/** RDS/EDS/SDS: subscribed resources that are new to the client or changed; missing names wait. */
function pickChanged(state: SotwState, type: TypeSnapshot): Picked | undefined {
  const { subscription, sent } = state.view;
  const resources: EncodedResource[] = [];
  const view: EncodedResource[] = [];
  for (const resource of resourcesNamed(type, subscription.names)) {
    const { name } = resource;
    view.push(resource);
    if (state.forced.has(name) || sent.get(name)?.version !== resource.version) resources.push(resource);
  }
  return resources.length > 0 ? { version: versionOfView(view), resources, changed: resources, wildcardOnly: false } : undefined;
}

function holdsRemoved(sent: ReadonlyMap<string, EncodedResource>, type: TypeSnapshot): boolean {
  for (const name of sent.keys()) if (!type.resources.has(name)) return true;
  return false;
}

/**
 * version_info: a hash of everything the client is subscribed to that exists, not of the whole
 * type. A client therefore sees a new version only when its own view changed, and a restarted
 * server hands a reconnecting client the very version it already holds.
 */
function versionOfView(resources: readonly EncodedResource[]): string {
  return versionOfResources(resources);
}

function header(type: TypeSnapshot, versionInfo: string, controlPlaneId: string | undefined): ResponseHeader {
  return { versionInfo, typeUrl: type.typeUrl, ...(controlPlaneId ? { controlPlaneId } : {}) };
}

// Every wildcard subscriber of a fleet (every Envoy) gets the same LDS/CDS body: build it once.
// Keyed by the immutable TypeSnapshot, so bodies die with the snapshot that produced them.
const wildcardBodies = new WeakMap<TypeSnapshot, Buffer>();

function wildcardBody(type: TypeSnapshot, controlPlaneId: string | undefined): Buffer {
  let body = wildcardBodies.get(type);
  if (!body) {
    body = encodeResponseBody(header(type, type.wildcardVersion, controlPlaneId), type.wildcardNames.map((name) => type.resources.get(name)).filter(isDefined));
    wildcardBodies.set(type, body);
  }
  return body;
}

function isDefined<T>(value: T | undefined): value is T {
  return value !== undefined;
}

