// Translation that costs what a change touches. The first call (and any change it cannot follow)
// is a full translation, kept as the base. After that, a change of some Ingresses re-translates
// only their scope in each fleet they are (or were) in: the Ingresses sharing a host with them,
// transitively, plus the class's anchors (default backend, hostless rules) — the host is the unit
// because oldest-wins conflicts, TLS hosts, canaries and redirects all settle per host — and the
// users of Services whose endpoints changed. The re-translated part is spliced into the base
// (fleet-splice.ts); the Envoy stage then rebuilds only what changed (util/memo.ts).
//
// The result is what a full translation of the same state gives, byte for byte
// (incremental.property.test.ts). A change it cannot vouch for goes to a full translation:
// anything but Ingresses and endpoints (classes, parameters, Services, Secrets), an Ingress that
// is or becomes an anchor, a class with www twins or server aliases (their hosts depend on all
// others), a class that is held, and any problem with an EndpointSlice or with the IR's rules.
// Certificates are judged at the base's instant: the periodic re-check is a full translation.
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import type { ChangeScope } from '../relevance/change-scope.js';
import type { IrFleet } from '../ir/types.js';
import { validateIrFleet } from '../ir/validate-ir.js';
import { envoyConfigOf, fleetConfigOf } from '../pipeline.js';
import { lowerBound } from '../util/compare.js';
import type { EnvoyConfig, FleetConfig } from '../pipeline.js';
import type { ClusterState, V1Ingress, V1IngressClass } from '../store/cluster-state.js';
import { objectRef } from '../store/cluster-state.js';
import { BackendResolver } from '../translate/backends.js';
import { classOfIngress, DEFAULT_OWNERSHIP, newestDefaultClass, selectIngressClasses } from '../translate/ingress-classes.js';
import type { ClassOwnership } from '../translate/ingress-classes.js';
import type { FleetParameters } from '../translate/parameters/fleet-parameters.js';
import { SecretIndex } from '../translate/tls/secret-index.js';
import { translateToIr } from '../translate/translate.js';
import { translateFleet } from '../translate/translate-fleet.js';
import { CATCH_ALL_HOST } from '../translate/hosts.js';
import { DiagnosticBook } from './diagnostic-book.js';
import { FleetIndex } from './fleet-index.js';
import type { Scope } from './fleet-index.js';
import { shapeOf } from './ingress-shape.js';
import { spliceFleet } from './fleet-splice.js';

interface TranslatedFleet {
  ingressClass: V1IngressClass;
  parameters: FleetParameters;
  parametersNamespace: string | undefined;
  index: FleetIndex;
  ir: IrFleet;
  config: FleetConfig;
}

interface Base {
  now: number;
  defaultClass: string | undefined;
  /** Every Ingress of the state, of any class, by key. */
  ingresses: Map<string, V1Ingress>;
  /** Translated (sound) fleets by class name. */
  fleets: Map<string, TranslatedFleet>;
  config: EnvoyConfig;
  diagnostics: DiagnosticBook;
  /** The base can take updates: no held-by-bug fleet, no EndpointSlice problem. */
  updatable: boolean;
}

export interface TranslatorCounters {
  incremental: number;
  /** Why changes went to a full translation, by reason. */
  fullBecause: Record<FullReason, number>;
}

/** How a translation was made: only what changed, or in full and why. */
export type TranslationPath = 'incremental' | FullReason;

/** Why a change was translated in full. */
export type FullReason = 'first' | 'other-kinds' | 'unupdatable-base' | 'held-class' | 'anchor' | 'global-class' | 'default-backend-beyond-scope' | 'endpoint-slice-problem' | 'ir-rules';

/**
 * The class's default backend is appended to every host without a `/` route of its own, hosts
 * outside the scope included; what it credits to its Ingress (its cluster's origins, its
 * force-ssl-redirect warning) is re-counted from the part, which holds it on the catch-all `*`
 * (never served over TLS) unless a hostless `/` rule takes that: then only the whole fleet knows.
 */
function defaultBackendBeyondScope(scope: readonly V1Ingress[], part: IrFleet): boolean {
  if (!scope.some((ingress) => ingress.spec?.defaultBackend !== undefined)) return false;
  const catchAll = part.virtualHosts.find((host) => host.host === CATCH_ALL_HOST);
  return !catchAll?.routes.some((route) => route.name.endsWith('/default-backend'));
}

const keyOf = (o: { metadata?: { namespace?: string; name?: string } }): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * The Ingress with this key. ClusterSource hands each kind over sorted by key, so a binary search
 * finds it without a pass over 10,000 keys; keys are unique, so what it finds is the one. A key it
 * does not find (a deletion, or a list in another order) is looked for the long way.
 */
function findByKey(ingresses: readonly V1Ingress[], key: string): V1Ingress | undefined {
  const at = ingresses[lowerBound(ingresses, key, keyOf)];
  if (at && keyOf(at) === key) return at;
  return ingresses.find((ingress) => keyOf(ingress) === key);
}

export class IncrementalTranslator {
  readonly counters: TranslatorCounters = { incremental: 0, fullBecause: { first: 0, 'other-kinds': 0, 'unupdatable-base': 0, 'held-class': 0, anchor: 0, 'global-class': 0, 'default-backend-beyond-scope': 0, 'endpoint-slice-problem': 0, 'ir-rules': 0 } };
  private base: Base | undefined;
  /** How the last translation was made. */
  lastPath: TranslationPath = 'first';

  constructor(private readonly ownership: ClassOwnership = DEFAULT_OWNERSHIP) {}

  /** The translation of `state`, which differs from the previous call's state by `changes`. */
  translate(state: ClusterState, changes: ChangeScope, now: number): EnvoyConfig {
    try {
      return this.translateOrThrow(state, changes, now);
    } catch (error) {
      // A bug half-way through must not leave a base that no longer matches its state.
      this.base = undefined;
      throw error;
    }
  }

  private translateOrThrow(state: ClusterState, changes: ChangeScope, now: number): EnvoyConfig {
    const updated = !this.base ? 'first' : changes.full ? 'other-kinds' : this.update(this.base, state, changes);
    if (typeof updated === 'object') {
      this.counters.incremental++;
      this.lastPath = 'incremental';
      return updated;
    }
    this.counters.fullBecause[updated]++;
    this.lastPath = updated;
    return this.full(state, now);
  }

  private full(state: ClusterState, now: number): EnvoyConfig {
    const ir = translateToIr(state, now, this.ownership);
    const config = envoyConfigOf(ir);
    const { ours, ingressesByClass } = selectIngressClasses(state, this.ownership);
    const classes = new Map(ours.map((c) => [c.metadata?.name ?? '', c]));
    const configs = new Map(config.fleets.map((f) => [f.ingressClass, f]));
    const fleets = new Map<string, TranslatedFleet>();
    for (const fleet of ir.fleets) {
      const resolved = ir.classes.find((c) => c.ingressClass === fleet.ingressClass);
      const ingressClass = classes.get(fleet.ingressClass);
      const fleetConfig = configs.get(fleet.ingressClass);
      if (!resolved?.accepted || !ingressClass || !fleetConfig) continue;
      const index = new FleetIndex((ingressesByClass.get(fleet.ingressClass) ?? []).map((i) => [keyOf(i), i]));
      fleets.set(fleet.ingressClass, { ingressClass, parameters: resolved.parameters, parametersNamespace: resolved.ref?.namespace, index, ir: fleet, config: fleetConfig });
    }
    const diagnostics = new DiagnosticBook(config.diagnostics);
    const updatable = fleets.size === ir.fleets.length && !diagnostics.some((object) => object.startsWith('EndpointSlice '));
    this.base = { now, defaultClass: newestDefaultClass(state.ingressClasses), ingresses: new Map(state.ingresses.map((i) => [keyOf(i), i])), fleets, config, diagnostics, updatable };
    return config;
  }

  /** The base brought up to `state`, or why only a full translation can say. */
  private update(base: Base, state: ClusterState, changes: ChangeScope): EnvoyConfig | FullReason {
    if (!base.updatable) return 'unupdatable-base';
    const current = new Map<string, V1Ingress | undefined>();
    for (const key of changes.ingresses) current.set(key, findByKey(state.ingresses, key));
    // Per fleet: the changed Ingresses it had or gets.
    const touched = new Map<string, Set<string>>();
    for (const [key, ingress] of current) {
      const before = base.ingresses.get(key);
      if (before === ingress) continue;
      for (const version of [before, ingress]) {
        if (!version) continue;
        const className = classOfIngress(version, base.defaultClass);
        if (className === undefined || !base.config.classes.some((c) => c.ingressClass === className)) continue;
        if (!base.fleets.has(className)) return 'held-class';
        const shape = shapeOf(version);
        if (shape.anchor || shape.global) return shape.anchor ? 'anchor' : 'global-class';
        touched.set(className, (touched.get(className) ?? new Set()).add(key));
      }
    }
    const parts: { name: string; fleet: TranslatedFleet; scope: Scope; ir: IrFleet; diagnostics: Diagnostic[] }[] = [];
    const resolver = new BackendResolver(state);
    const secrets = new SecretIndex(state.secrets, base.now);
    for (const [name, fleet] of base.fleets) {
      const keys = touched.get(name) ?? new Set<string>();
      if (keys.size === 0 && ![...changes.services].some((s) => fleet.index.usesService(s))) continue;
      if (fleet.index.isGlobal) return 'global-class';
      const formerHosts = [...keys].flatMap((key) => fleet.index.hostsOf(key));
      const formerRefs = [...keys].flatMap((key) => (fleet.index.get(key) ? [objectRef('Ingress', fleet.index.get(key)?.metadata)] : []));
      // Updated in place: if anything below gives up, the full translation builds new indexes.
      const index = fleet.index;
      for (const key of keys) {
        const ingress = current.get(key);
        if (ingress && classOfIngress(ingress, base.defaultClass) === name) index.set(key, ingress);
        else index.delete(key);
      }
      if (index.isGlobal) return 'global-class';
      const scope = index.scope(keys, changes.services, formerHosts, formerRefs);
      const part = translateFleet(fleet.ingressClass, scope.ingresses, resolver, secrets, fleet.parameters, fleet.parametersNamespace);
      if (defaultBackendBeyondScope(scope.ingresses, part.fleet)) return 'default-backend-beyond-scope';
      const spliced = spliceFleet(fleet.ir, part.fleet, scope);
      // A part or splice that breaks the IR's rules is a bug (of the translator or of this module),
      // never served: the full translation holds the class if the bug is the translator's.
      if (validateIrFleet(spliced, fleet.ir).length > 0) return 'ir-rules';
      parts.push({ name, fleet: { ...fleet, index }, scope, ir: spliced, diagnostics: part.diagnostics });
    }
    if (resolver.problems().length > 0) return 'endpoint-slice-problem';

    // Nothing can fail from here: commit.
    for (const { scope } of parts) base.diagnostics.forget(scope.refs);
    for (const { scope, diagnostics } of parts) for (const d of diagnostics) if (scope.refs.has(d.object)) base.diagnostics.add(d);
    for (const { name, fleet, ir } of parts) base.fleets.set(name, { ...fleet, ir, config: ir === fleet.ir ? fleet.config : fleetConfigOf(ir, { ir: fleet.ir, config: fleet.config }) });
    for (const [key, ingress] of current) {
      if (ingress) base.ingresses.set(key, ingress);
      else base.ingresses.delete(key);
    }
    const fleets = base.config.fleets.map((f) => base.fleets.get(f.ingressClass)?.config ?? f);
    base.config = { ...base.config, fleets, diagnostics: base.diagnostics.list() };
    return base.config;
  }
}
