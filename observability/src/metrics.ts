// Prometheus metrics on prom-client (docs/decisions/0011-prom-client.md), one Registry per
// MetricsRegistry, never prom-client's global one: tests start many servers in one process.
// The thin layer here keeps what the rest of the code relies on: label values passed as an
// object, series removable by a partial label match (prom-client removes one exact label set),
// and gauges refreshed before every scrape. Series live until removed: whoever labels series with
// values that come and go (a fleet, a node) removes them when those go, or every scrape grows.
import { Counter as PromCounter, Gauge as PromGauge, Histogram as PromHistogram, Registry, collectDefaultMetrics } from 'prom-client';

type Labels = Record<string, string>;

/** Seconds: from a fast translation (1 ms) to a slow publish or a far client's ACK (30 s). */
export const SECONDS_BUCKETS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

abstract class Metric {
  /** Every label set that has a series, so remove() can match on part of them. */
  private readonly labelSets = new Map<string, Labels>();
  /**
   * The same label sets as nested maps of their values, in label-name order: telling a known set
   * costs a look-up per label and allocates nothing. It runs on every inc and observe: twice per
   * xDS response and per ACK, a thousand streams at a time.
   */
  private readonly known: Map<string | undefined, unknown> = new Map();

  constructor(
    readonly name: string,
    private readonly labelNames: readonly string[],
  ) {}

  protected abstract readonly metric: PromCounter | PromGauge | PromHistogram;

  /** Hands what callers counted on their own (Counter.series) to prom-client, before anything reads it. */
  flush(): void {}

  protected track(labels: Labels): Labels {
    let level = this.known;
    const last = this.labelNames.length - 1;
    for (let i = 0; i < last; i++) {
      const value = labels[this.labelNames[i] as string];
      let next = level.get(value) as Map<string | undefined, unknown> | undefined;
      if (!next) level.set(value, (next = new Map()));
      level = next;
    }
    const leaf = last < 0 ? undefined : labels[this.labelNames[last] as string];
    if (level.has(leaf)) return labels;
    level.set(leaf, true);
    this.labelSets.set(seriesKey(labels), labels);
    return labels;
  }

  /** Removes every series whose labels include all of `match`; returns how many went. */
  remove(match: Labels): number {
    // What was counted before the removal goes with the series.
    this.flush();
    let removed = 0;
    for (const [key, labels] of this.labelSets) {
      if (Object.entries(match).every(([name, value]) => labels[name] === value)) {
        this.metric.remove(labels);
        this.labelSets.delete(key);
        this.forget(labels);
        removed += 1;
      }
    }
    return removed;
  }

  /** Drops a label set from the nested index, and the maps it leaves empty. */
  private forget(labels: Labels): void {
    const path: Array<Map<string | undefined, unknown>> = [this.known];
    for (const name of this.labelNames.slice(0, -1)) {
      const next = path[path.length - 1]?.get(labels[name]) as Map<string | undefined, unknown> | undefined;
      if (!next) return;
      path.push(next);
    }
    for (let depth = path.length - 1; depth >= 0; depth--) {
      const level = path[depth] as Map<string | undefined, unknown>;
      level.delete(labels[this.labelNames[depth] as string]);
      if (level.size > 0 || depth === 0) return;
    }
  }

  /** Series of this metric (a metric without labels always has its one). */
  get seriesCount(): number {
    this.flush();
    return this.labelNames.length === 0 ? 1 : this.labelSets.size;
  }
}

abstract class ValueMetric extends Metric {
  protected abstract override readonly metric: PromCounter | PromGauge;

  /** The value of one series (0 when it does not exist; reading never creates it). */
  async value(labels: Labels = {}): Promise<number> {
    this.flush();
    const key = seriesKey(labels);
    const { values } = await this.metric.get();
    return values.find((entry) => seriesKey(definedLabels(entry.labels)) === key)?.value ?? 0;
  }

  /** Sum over all label sets. */
  async total(): Promise<number> {
    this.flush();
    const { values } = await this.metric.get();
    return values.reduce((sum, entry) => sum + entry.value, 0);
  }
}

export class Counter extends ValueMetric {
  protected readonly metric: PromCounter;
  private readonly deferred: Array<{ labels: Labels; pending: number }> = [];

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
    super(name, labelNames);
    this.metric = new PromCounter({ name, help, labelNames, registers: [registry] });
  }

  inc(labels: Labels = {}, by = 1): void {
    this.metric.inc(this.track(labels), by);
  }

  /**
   * One series for a hot path (every xDS response and every ACK, a thousand streams at a time):
   * its inc() only adds to a number, and the sum goes to prom-client before anything reads the
   * metric (a scrape, value(), total(), remove()): what a reader sees is what inc(labels) would
   * have made. prom-client hashes the label set on every inc; this does it once per scrape.
   */
  series(labels: Labels): CounterSeries {
    const entry = { labels: { ...labels }, pending: 0 };
    this.deferred.push(entry);
    return {
      inc: (by = 1) => {
        entry.pending += by;
      },
    };
  }

  override flush(): void {
    for (const entry of this.deferred) {
      if (entry.pending === 0) continue;
      const by = entry.pending;
      entry.pending = 0;
      this.inc(entry.labels, by);
    }
  }
}

/** A counter's series counted by its caller (Counter.series). */
export interface CounterSeries {
  inc(by?: number): void;
}

export class Gauge extends ValueMetric {
  protected readonly metric: PromGauge;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
    super(name, labelNames);
    this.metric = new PromGauge({ name, help, labelNames, registers: [registry] });
  }

  set(labels: Labels, value: number): void {
    this.metric.set(this.track(labels), value);
  }

  add(labels: Labels, by: number): void {
    this.metric.inc(this.track(labels), by);
  }
}

export class Histogram extends Metric {
  protected readonly metric: PromHistogram;

  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, labelNames);
    this.metric = new PromHistogram({ name, help, labelNames, buckets: [...buckets], registers: [registry] });
  }

  observe(labels: Labels, value: number): void {
    this.metric.observe(this.track(labels), value);
  }

  /** Starts a timer; calling the result observes the seconds since. */
  startTimer(labels: Labels = {}): () => number {
    const started = process.hrtime.bigint();
    return () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.observe(labels, seconds);
      return seconds;
    };
  }

  /** Observations so far in one series (0 when it does not exist). */
  async count(labels: Labels = {}): Promise<number> {
    const key = seriesKey(labels);
    const { values } = await this.metric.get();
    return values.find((entry) => entry.metricName === `${this.name}_count` && seriesKey(definedLabels(entry.labels)) === key)?.value ?? 0;
  }
}

export class MetricsRegistry {
  /**
   * The prom-client registry behind this one (for anything prom-client offers that is not wrapped
   * here). Read it through render(): that is what hands Counter.series counts over first.
   */
  readonly registry = new Registry();
  private readonly metrics: Metric[] = [];
  private readonly collectors: Array<() => void> = [];
  private processMetrics = false;

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.register(new Counter(this.registry, name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.register(new Gauge(this.registry, name, help, labelNames));
  }

  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = SECONDS_BUCKETS): Histogram {
    return this.register(new Histogram(this.registry, name, help, labelNames, buckets));
  }

  /**
   * Adds prom-client's process and Node.js series (RSS, heap, CPU, event loop lag, GC, handles),
   * named portico_process_* and portico_nodejs_*. Once per process is enough: the operator calls
   * it, tests and embedders need not (it starts an event-loop monitor and a GC observer).
   */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry, prefix: 'portico_' });
  }

  /** Runs before every scrape, to refresh gauges that are cheaper to read than to track. */
  beforeScrape(collect: () => void): void {
    this.collectors.push(collect);
  }

  /** Prometheus text exposition (version 0.0.4). */
  async render(): Promise<string> {
    this.prepareRead();
    return this.registry.metrics();
  }

  /** The Content-Type of render()'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Series (label sets) over the metrics created here, after refreshing gauges as a scrape would. */
  seriesCount(): number {
    this.prepareRead();
    return this.metrics.reduce((sum, metric) => sum + metric.seriesCount, 0);
  }

  /** What every read starts with: gauges refreshed, Counter.series counts handed over. */
  private prepareRead(): void {
    for (const collect of this.collectors) collect();
    for (const metric of this.metrics) metric.flush();
  }

  private register<T extends Metric>(metric: T): T {
    this.metrics.push(metric);
    return metric;
  }
}

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function definedLabels(labels: Partial<Record<string, string | number>>): Labels {
  const defined: Labels = {};
  for (const [name, value] of Object.entries(labels)) if (value !== undefined && name !== 'le') defined[name] = String(value);
  return defined;
}
