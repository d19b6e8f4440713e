// The Envoy stage is a pure function of IR objects, which incremental translation hands over
// again as the very same objects when they did not change (incremental/fleet-splice.ts). So what
// each IR object became is remembered against it, together with the other inputs it was built
// from: an unchanged virtual host or cluster is not rebuilt, and the xDS cache recognises the
// very same Envoy object without comparing it. Weak: nothing outlives the IR that made it.
export class Memo<Key extends object, Inputs extends readonly unknown[], Value> {
  private readonly built = new WeakMap<Key, { inputs: Inputs; value: Value }>();

  constructor(private readonly build: (key: Key, ...inputs: Inputs) => Value) {}

  /** What `build(key, ...inputs)` gives, built again only when an input is another object. */
  get(key: Key, ...inputs: Inputs): Value {
    const entry = this.built.get(key);
    if (entry && entry.inputs.length === inputs.length && entry.inputs.every((input, i) => input === inputs[i])) return entry.value;
    const value = this.build(key, ...inputs);
    this.built.set(key, { inputs, value });
    return value;
  }
}
