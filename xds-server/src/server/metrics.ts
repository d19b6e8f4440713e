// A minimal Prometheus text-format registry: counters and gauges with labels. Enough for the
// handful of series the xDS server exports, without a dependency. Series are kept in a map per
// metric until removed: whoever labels series with values that come and go (a fleet, a node)
// removes them when those go, or the map and every scrape grow forever.

type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

abstract class Metric {
  protected readonly series = new Map<string, Series>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'counter' | 'gauge',
  ) {}

  protected entry(labels: Labels): Series {
    const key = seriesKey(labels);
    let series = this.series.get(key);
    if (!series) {
      series = { labels, value: 0 };
      this.series.set(key, series);
    }
    return series;
  }

  /** The value of one series (0 when it does not exist; reading never creates it). */
  value(labels: Labels = {}): number {
    return this.series.get(seriesKey(labels))?.value ?? 0;
  }

  /** Removes every series whose labels include all of `match`; returns how many went. */
  remove(match: Labels): number {
    let removed = 0;
    for (const [key, series] of this.series) {
      if (Object.entries(match).every(([name, value]) => series.labels[name] === value)) {
        this.series.delete(key);
        removed += 1;
      }
    }
    return removed;
  }

  get seriesCount(): number {
    return this.series.size;
  }

  /** Sum over all label sets. */
  total(): number {
    let sum = 0;
    for (const series of this.series.values()) sum += series.value;
    return sum;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, value } of this.series.values()) lines.push(`${this.name}${formatLabels(labels)} ${value}`);
    return lines.join('\n');
  }
}

export class Counter extends Metric {
  constructor(name: string, help: string) {
    super(name, help, 'counter');
  }

  inc(labels: Labels = {}, by = 1): void {
    this.entry(labels).value += by;
  }
}

export class Gauge extends Metric {
  constructor(name: string, help: string) {
    super(name, help, 'gauge');
  }

  set(labels: Labels, value: number): void {
    this.entry(labels).value = value;
  }

  add(labels: Labels, by: number): void {
    this.entry(labels).value += by;
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = [];
  private readonly collectors: Array<() => void> = [];

  counter(name: string, help: string): Counter {
    return this.register(new Counter(name, help));
  }

  gauge(name: string, help: string): Gauge {
    return this.register(new Gauge(name, help));
  }

  /** Runs before every scrape, to refresh gauges that are cheaper to read than to track. */
  beforeScrape(collect: () => void): void {
    this.collectors.push(collect);
  }

  render(): string {
    for (const collect of this.collectors) collect();
    return this.metrics.map((metric) => metric.render()).join('\n') + '\n';
  }

  /** Series over all metrics (after refreshing gauges, as a scrape would). */
  seriesCount(): number {
    for (const collect of this.collectors) collect();
    return this.metrics.reduce((sum, metric) => sum + metric.seriesCount, 0);
  }

  private register<T extends Metric>(metric: T): T {
    this.metrics.push(metric);
    return metric;
  }
}

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort());
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  const escape = (value: string): string => value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${entries.map(([key, value]) => `${key}="${escape(value)}"`).join(',')}}`;
}
