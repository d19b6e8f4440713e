// Delta (incremental) xDS, as the one stream machine (xds-stream.ts) speaks it. Requests carry
// subscription changes (delta-subscription.ts) and, on a type's first request, the versions the
// client already holds; the server keeps, per type, the version of each resource the client holds
// as far as it knows (known-versions.ts: a base shared with every stream in sync, plus a small
// overlay). A response carries only what is new to the client or changed, and names what went
// away in removed_resources. Delta clients get the fleet's Delta view (VHDS where a class opts in).
import type { EncodedResource } from '../cache/encoded-resource.js';
import type { TypeSnapshot } from '../cache/fleet-snapshot.js';
import { resourcesNamed } from '../cache/fleet-snapshot.js';
import type { DeltaDiscoveryRequest__Output } from '../generated/envoy/service/discovery/v3/DeltaDiscoveryRequest.js';
import type { ResourceKind } from '../protos/envoy-protos.js';
import { encodeDeltaResponse } from './delta-response.js';
import { DeltaSubscription } from './delta-subscription.js';
import { KnownVersions } from './known-versions.js';
import { envelopeOf } from './stream-protocol.js';
import type { StreamProtocol } from './stream-protocol.js';
import { WILDCARD } from './subscription.js';
import { newTypeState } from './type-state.js';

export interface DeltaView {
  readonly subscription: DeltaSubscription;
  /** name → version the client holds as far as the server knows; null: it was told the name does not exist. */
  readonly known: KnownVersions;
}

/**
 * Unanswered responses remembered per type. Envoy answers every response; a client that does not
 * must not make the stream grow without bound (a forgotten answer only counts as a stale nonce).
 */
const MAX_UNANSWERED = 64;

export const DELTA: StreamProtocol<DeltaDiscoveryRequest__Output, DeltaView> = {
  name: 'delta',
  method: 'Delta ADS',
  everyResponseAnswered: true,
  maxUnanswered: MAX_UNANSWERED,
  nackResolvedPerResource: true,
  // Endpoints are removed by name too, so they wait with their clusters.
  removalsHeldFor: new Set<ResourceKind>(['cluster', 'clusterLoadAssignment']),

  envelope: envelopeOf,

  typesOf: (snapshot) => snapshot.deltaTypes,

  newState(kind) {
    const subscription = new DeltaSubscription(kind);
    return newTypeState({ subscription, known: new KnownVersions(subscription) }, '', 0);
  },

  // Subscription changes count whatever the nonce: in Delta it only correlates ACKs and NACKs.
  subscribe(kind, state, request, first, context) {
    const subscribe = request.resource_names_subscribe ?? [];
    const unsubscribe = request.resource_names_unsubscribe ?? [];
    // Nearly every request is an answer that changes no subscription (a thousand ACKs per change):
    // what follows would find nothing to do. initial_resource_versions counts on a first request only.
    if (!first && subscribe.length === 0 && unsubscribe.length === 0) return;
    const { subscription, known } = state.view;
    // A wildcard turned on covers resources the client never got: the shared base must not claim them.
    if (!subscription.wildcard && subscribe.includes(WILDCARD)) known.detachBase();
    const change = subscription.update(subscribe, unsubscribe);
    context.budget.change(change.added, change.unsubscribed);
    const initial = first ? Object.entries(request.initial_resource_versions ?? {}) : [];
    // What a reconnecting client already holds is not sent again, unless it changed meanwhile.
    for (const [name, version] of initial) if (subscription.covers(name)) known.set(name, context.clientVersion(version));
    // Names kept that way without being subscribed by name (wildcard) cost memory too: counted
    // for the life of the stream, as the first request of a type is the only one that adds them.
    context.budget.change(initial.filter(([name]) => !subscription.names.has(name) && subscription.covers(name)).map(([name]) => name), []);
    state.initialResourceVersions = (state.initialResourceVersions ?? 0) + initial.length;
    if (first && initial.length === 0) state.responseOwed = true;
    const held = new Set(initial.map(([name]) => name));
    for (const name of change.subscribed) {
      if (held.has(name)) continue;
      // A VHDS namespace subscribed (again): its members are not held, whatever the shared base says.
      known.forgetNamespace(name);
      // Only a name the client holds needs forcing (what it lacks is sent anyway): a thousand
      // Envoys subscribing to every EDS name at once would otherwise each keep a set of them all.
      if (known.has(name)) state.forced.add(name);
    }
    const type = context.typeNow(kind);
    for (const name of change.unsubscribed) {
      state.unresolved.delete(name);
      // Still covered by wildcard: the spec wants it answered (the client may have dropped it).
      if (type?.resources.get(name)?.inWildcard && subscription.wildcard) state.forced.add(name);
      else {
        known.delete(name);
        state.forced.delete(name);
      }
    }
    // Whatever is no longer covered (wildcard off, a VHDS namespace dropped) the client forgets.
    if (change.unsubscribed.length > 0 || (change.wildcardChanged && !subscription.wildcard)) known.forgetUncovered();
    if (first || change.subscribed.length > 0 || change.unsubscribed.length > 0 || change.wildcardChanged) state.dirty = true;
  },

  select(_kind, state, type, snapshot, holdRemovals) {
    const { subscription, known } = state.view;
    const { forced } = state;
    const resources: EncodedResource[] = [];
    const removed = new Set<string>();
    let holdsRemovals = false;
    const removeOrHold = (name: string): void => {
      if (holdRemovals) holdsRemovals = true;
      else removed.add(name);
    };

    // Up to date with the previous version and nothing else pending: only the publish's own
    // changes can matter, so the cost per stream is the size of the change, not of the fleet.
    const since = type.since;
    if (since && state.syncedVersion === since.fromVersion && !state.dirty && !state.responseOwed && !state.holdingRemovals && forced.size === 0) {
      for (const name of since.changed) {
        const resource = type.resources.get(name);
        if (resource && subscription.includes(name, resource.inWildcard) && known.get(name) !== resource.version) resources.push(resource);
      }
      for (const name of since.removed) if (known.get(name) != null && subscription.covers(name)) removeOrHold(name);
    } else {
      for (const resource of coveredResources(type, subscription)) {
        if (forced.has(resource.name) || known.get(resource.name) !== resource.version) resources.push(resource);
      }
      for (const name of known.missingFrom(type)) if (subscription.covers(name)) removeOrHold(name);
      // A subscribed name that does not exist is answered in removed_resources, once (or again when re-subscribed).
      for (const name of subscription.names) {
        if (type.namespaces.has(name)) continue; // a VHDS namespace, answered with its members
        if (!type.resources.has(name) && (forced.has(name) || !known.has(name))) removed.add(name);
      }
    }
    const due = resources.length > 0 || removed.size > 0 || state.responseOwed;
    // system_version_info is for debugging only (the spec says so): the fleet's type version.
    return { type, snapshot, resources, changed: resources, removed: [...removed].sort(), version: type.version, due, holdsRemovals };
  },

  settle(_kind, state, type, selection) {
    // Nothing differs from the newest snapshot: it becomes the shared base.
    if (selection && !selection.due) state.view.known.rebase(type);
    return selection?.holdsRemovals ?? false;
  },

  commit(_kind, state, selection) {
    const { subscription, known } = state.view;
    for (const name of selection.removed) {
      // Remember a missing name the client asked for, so it is told once, not on every change.
      if (subscription.names.has(name)) known.set(name, null);
      else known.delete(name);
    }
    // Every resource sent is one the subscription includes: the base now says the client holds it.
    known.rebase(selection.type);
    state.responseOwed = false;
  },

  encode(selection, nonce, controlPlaneId) {
    const header = { systemVersionInfo: selection.version, typeUrl: selection.type.typeUrl, ...(controlPlaneId ? { controlPlaneId } : {}) };
    return encodeDeltaResponse(header, selection.resources, selection.removed, nonce);
  },
};

/** The existing resources a subscription covers, in name order. */
function coveredResources(type: TypeSnapshot, subscription: DeltaSubscription): Iterable<EncodedResource> {
  if (!subscription.wildcard) return resourcesNamed(type, subscription.names);
  return [...type.resources.values()].filter((r) => r.inWildcard || subscription.includes(r.name, false));
}
