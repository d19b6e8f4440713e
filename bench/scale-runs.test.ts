import { describe, expect, it } from 'vitest';
import { pooled, stats } from './scale-runs.js';
import type { Measured } from './scale-runs.js';

/** A run of `latencies` changes, as scale.ts records it. */
function measuredRun(latencies: number[], extra: { cpu: number; rss: number; wall: number; warmup: number[] }): Measured {
  const applyMs = latencies.map((l) => l / 10);
  const bytes = latencies.map(() => 1000);
  return {
    run: {
      server: 'portico',
      protocol: 'delta',
      ingresses: 1000,
      clients: 1000,
      changes: latencies.length,
      applyMsMedian: stats(applyMs).median,
      initialApplyMs: 5000,
      connectMs: 17000,
      changeToAllAckedMs: stats(latencies),
      bytesPerChange: { median: 1000, max: 1000 },
      serverCpuSeconds: { total: 20 + extra.cpu, changes: extra.cpu },
      peakRssMiB: extra.rss,
      wallSeconds: extra.wall,
      warmupMs: extra.warmup,
      clientReconnects: 1,
    },
    samples: { latencies, applyMs, bytes },
  };
}

const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);

describe('stats', () => {
  it('takes the nearest rank: with 30 samples the p99 is the slowest, with 150 the second slowest', () => {
    expect(stats(range(1, 30)).p99).toBe(30);
    expect(stats(range(1, 150)).p99).toBe(149);
    expect(stats(range(1, 30)).median).toBe(15);
  });
});

describe('pooled', () => {
  it('returns a single run as it is, without repetitions', () => {
    const one = measuredRun(range(60, 30), { cpu: 3, rss: 400, wall: 40, warmup: [90] });
    expect(pooled([one])).toBe(one.run);
  });

  it('pools every change of every run, and keeps each run apart under repetitions', () => {
    // Five runs of 30 changes, the last two slower than the first three, each with one slow change
    // of its own (101 to 105 ms): the pooled median (80) is not the median of the runs' medians (74).
    const offsets = [0, 0, 0, 10, 20];
    const runs = offsets.map((offset, i) => measuredRun([...range(60 + offset, 29), 101 + i], { cpu: 3 + i, rss: 400 + i, wall: 40, warmup: [120 + i, 80] }));
    runs[4]!.run.connectMs = 30000;
    runs[4]!.run.initialApplyMs = 9000;
    runs[4]!.samples.bytes = runs[4]!.samples.bytes.map(() => 5000);
    const run = pooled(runs);
    expect(run.changes).toBe(150);
    expect(run.repetitions?.map((r) => r.changeToAllAckedMs.median)).toEqual([74, 74, 74, 84, 94]);
    // Each run's p99 is its slowest change; the pooled p99 is the second slowest of 150.
    expect(run.repetitions?.map((r) => r.changeToAllAckedMs.p99)).toEqual([101, 102, 103, 104, 108]);
    expect(run.changeToAllAckedMs).toEqual({ median: 80, p99: 107, max: 108, min: 60 });
    // Apply times and bytes are pooled from the changes too; start-up figures are the runs' median.
    expect(run.applyMsMedian).toBe(8);
    expect(run.bytesPerChange).toEqual({ median: 1000, max: 5000 });
    expect(run.connectMs).toBe(17000);
    expect(run.initialApplyMs).toBe(5000);
    expect(run.serverCpuSeconds).toEqual({ total: 25, changes: 5 });
    expect(run.peakRssMiB).toBe(404);
    expect(run.wallSeconds).toBe(200);
    expect(run.warmupMs).toEqual([120, 80, 121, 80, 122, 80, 123, 80, 124, 80]);
    expect(run.clientReconnects).toBe(5);
    expect(run.repetitions?.[2]).toEqual({
      changes: 30,
      changeToAllAckedMs: stats([...range(60, 29), 103]),
      applyMsMedian: 7.4,
      serverCpuSecondsChanges: 5,
      serverCpuSecondsTotal: 25,
      peakRssMiB: 402,
      wallSeconds: 40,
      warmupMs: [122, 80],
    });
  });

  it('refuses nothing to pool', () => {
    expect(() => pooled([])).toThrow('no runs');
  });
});
