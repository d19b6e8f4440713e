// What one scale run records (bench/results/scale.json), and how repeated runs of the same
// server, protocol and scenario are pooled (scale.ts --repeat). On two shared cores one run of 30
// changes has a p99 that is its slowest change, and whether that change met a slow moment of the
// machine varies from run to run: at 1,000 × 1,000 Delta, eight runs of the same code on one
// day had p99s from 75 to 138 ms. Pooling the changes of several runs (each with its own server
// and fleet) makes the p99 a percentile again, and each run's own figures stay beside it.

import type { Protocol } from './fleet/client.js';

export type { Protocol };
export type ServerName = 'portico' | 'snapshot' | 'linear';

export interface LatencyStats {
  median: number;
  p99: number;
  max: number;
  min: number;
}

export interface Run {
  server: ServerName;
  protocol: Protocol;
  ingresses: number;
  clients: number;
  /** Measured changes (over all repetitions). */
  changes: number;
  /** Portico: config.applied durationMs (read folder + translate + publish), median over changes; peer: parse JSON + set cache. */
  applyMsMedian: number;
  initialApplyMs: number;
  connectMs: number;
  changeToAllAckedMs: LatencyStats;
  bytesPerChange: { median: number; max: number };
  /** Repeated runs: the mean per run, so that it compares with a single run's. */
  serverCpuSeconds: { total: number; changes: number };
  /** Repeated runs: the highest of them. */
  peakRssMiB: number;
  /** The whole run: workload, server start, fleet connect, changes, teardown (absent in runs recorded before it was). */
  wallSeconds?: number;
  /**
   * The simulated clients' HTTP/2 flow-control windows: Envoy's 256 MiB (ENVOY_WINDOW_BYTES).
   * Absent in runs recorded before the fleet set them, whose clients had grpc-js's 64 KiB.
   */
  clientWindowBytes?: number;
  /**
   * The changes made (and waited for) before the measured ones, in order, change → all ACKed, ms:
   * the first changes after a start run code the JIT has not optimized yet (see --warmup). Absent
   * in runs recorded before there were any; their first change was measured. Repeated runs: each
   * run's, one after the other.
   */
  warmupMs?: number[];
  /**
   * Streams the fleet opened again because they ended before their client was ready (a reset
   * connection while a thousand connect at once; an Envoy retries too). Absent in runs recorded
   * before the fleet retried: there, such a stream failed the run.
   */
  clientReconnects?: number;
  /** Repeated runs (--repeat): each run's own figures, in order; the fields above pool them. */
  repetitions?: Repetition[];
}

export interface Repetition {
  changes: number;
  changeToAllAckedMs: LatencyStats;
  applyMsMedian: number;
  serverCpuSecondsChanges: number;
  /** Absent in the first pooled rows (recorded before it was kept). */
  serverCpuSecondsTotal?: number;
  peakRssMiB: number;
  wallSeconds?: number;
  warmupMs?: number[];
}

/** A run's record and the per-change samples it was made from (not saved: they are what pooling needs). */
export interface Measured {
  run: Run;
  samples: { latencies: number[]; applyMs: number[]; bytes: number[] };
}

/**
 * Median and p99 as the nearest rank (the value at or above that share of the samples): with 30
 * samples the p99 is the slowest; it takes more than 100 for the p99 to be below the maximum.
 */
export function stats(samples: readonly number[]): LatencyStats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { median: round1(at(0.5)), p99: round1(at(0.99)), max: round1(sorted[sorted.length - 1] ?? NaN), min: round1(sorted[0] ?? NaN) };
}

/**
 * Repeated runs of one server, protocol and scenario as one record: latencies, apply times and
 * bytes pooled over every change of every run; server CPU the mean per run (it compares with a
 * single run's); peak RSS the highest; wall time summed; and each run's own figures under
 * `repetitions`. One run is returned as it is.
 */
export function pooled(measured: readonly Measured[]): Run {
  const [first] = measured;
  if (!first) throw new Error('pooled: no runs');
  if (measured.length === 1) return first.run;
  const runs = measured.map((m) => m.run);
  const all = (pick: keyof Measured['samples']): number[] => measured.flatMap((m) => m.samples[pick]);
  const mean = (pick: (r: Run) => number): number => Math.round((runs.reduce((total, r) => total + pick(r), 0) / runs.length) * 100) / 100;
  const bytes = stats(all('bytes'));
  const walls = runs.map((r) => r.wallSeconds);
  const warmups = runs.flatMap((r) => r.warmupMs ?? []);
  return {
    ...first.run,
    changes: runs.reduce((total, r) => total + r.changes, 0),
    applyMsMedian: stats(all('applyMs')).median,
    initialApplyMs: stats(runs.map((r) => r.initialApplyMs)).median,
    connectMs: stats(runs.map((r) => r.connectMs)).median,
    changeToAllAckedMs: stats(all('latencies')),
    bytesPerChange: { median: bytes.median, max: bytes.max },
    serverCpuSeconds: { total: mean((r) => r.serverCpuSeconds.total), changes: mean((r) => r.serverCpuSeconds.changes) },
    peakRssMiB: Math.max(...runs.map((r) => r.peakRssMiB)),
    ...(walls.every((w) => w !== undefined) ? { wallSeconds: Math.round(walls.reduce((a, b) => a + b, 0) * 10) / 10 } : {}),
    ...(warmups.length > 0 ? { warmupMs: warmups } : {}),
    clientReconnects: runs.reduce((total, r) => total + (r.clientReconnects ?? 0), 0),
    repetitions: runs.map((r) => ({
      changes: r.changes,
      changeToAllAckedMs: r.changeToAllAckedMs,
      applyMsMedian: r.applyMsMedian,
      serverCpuSecondsChanges: r.serverCpuSeconds.changes,
      serverCpuSecondsTotal: r.serverCpuSeconds.total,
      peakRssMiB: r.peakRssMiB,
      ...(r.wallSeconds !== undefined ? { wallSeconds: r.wallSeconds } : {}),
      ...(r.warmupMs ? { warmupMs: r.warmupMs } : {}),
    })),
  };
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
