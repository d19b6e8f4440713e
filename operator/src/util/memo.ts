// What a pure function made of an object, remembered against that object together with the
// other inputs it was made from. Incremental translation hands unchanged objects over again as
// the very same objects (incremental/fleet-splice.ts; ClusterSource's unchanged kind lists), so
// the Envoy stage does not rebuild an unchanged virtual host or cluster, the xDS cache recognises
// the very same Envoy object without comparing it, and the translator does not index an
// unchanged list again. Weak: nothing outlives the object it was made from.
import { sameItems } from './compare.js';

export class Memo<Key extends object, Inputs extends readonly unknown[], Value> {
  private readonly built = new WeakMap<Key, { inputs: Inputs; value: Value }>();

  constructor(private readonly build: (key: Key, ...inputs: Inputs) => Value) {}

  /** What `build(key, ...inputs)` gives, built again only when an input is another object. */
  get(key: Key, ...inputs: Inputs): Value {
    const entry = this.built.get(key);
    if (entry !== undefined && sameItems(entry.inputs, inputs)) return entry.value;
    const value = this.build(key, ...inputs);
    this.built.set(key, { inputs, value });
    return value;
  }
}
