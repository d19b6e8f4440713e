// What every part of Portico logs and measures with: one structured logger and one Prometheus
// registry (prom-client), shared by the operator and the xDS server so their lines and series
// have one shape. Import only through this index.
export { createLogger, isLogLevel, silentLogger } from './logger.js';
export type { LogFields, LogLevel, Logger, LoggerOptions } from './logger.js';
export { Counter, Gauge, Histogram, MetricsRegistry, SECONDS_BUCKETS } from './metrics.js';
export type { CounterSeries } from './metrics.js';
