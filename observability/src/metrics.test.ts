import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics.js';

describe('metric series', () => {
  it('counts a label set once, whatever order its labels are given in', async () => {
    const metrics = new MetricsRegistry();
    const responses = metrics.counter('responses_total', 'Responses.', ['fleet', 'type_url']);
    responses.inc({ fleet: 'a', type_url: 'cds' });
    responses.inc({ type_url: 'cds', fleet: 'a' }, 2);
    responses.inc({ fleet: 'a', type_url: 'lds' });
    expect(responses.seriesCount).toBe(2);
    expect(await responses.value({ type_url: 'cds', fleet: 'a' })).toBe(3);
  });

  it('hands what a series handle counted to prom-client before anything reads it, as inc(labels) would', async () => {
    const metrics = new MetricsRegistry();
    const responses = metrics.counter('responses_total', 'Responses.', ['type_url']);
    const cds = responses.series({ type_url: 'cds' });
    const lds = responses.series({ type_url: 'lds' });
    expect(responses.seriesCount).toBe(0);
    cds.inc();
    cds.inc(2);
    expect(await responses.value({ type_url: 'cds' })).toBe(3);
    expect(responses.seriesCount).toBe(1);
    cds.inc();
    responses.inc({ type_url: 'cds' });
    expect(await metrics.render()).toContain('responses_total{type_url="cds"} 5');
    lds.inc(4);
    expect(await responses.total()).toBe(9);
    // Counted before a removal goes with the series; counted after it makes the series again.
    lds.inc();
    expect(responses.remove({ type_url: 'lds' })).toBe(1);
    expect(await responses.value({ type_url: 'lds' })).toBe(0);
    lds.inc();
    expect(await responses.value({ type_url: 'lds' })).toBe(1);
    expect(metrics.seriesCount()).toBe(2);
  });

  it('removes the series a partial match names, and tracks them again once they come back', async () => {
    const metrics = new MetricsRegistry();
    const latency = metrics.histogram('ack_seconds', 'ACK latency.', ['fleet', 'type_url'], [0.1, 1]);
    for (const fleet of ['a', 'b']) for (const type of ['cds', 'lds']) latency.observe({ fleet, type_url: type }, 0.05);
    expect(latency.remove({ fleet: 'a' })).toBe(2);
    expect(latency.seriesCount).toBe(2);
    expect(await latency.count({ fleet: 'a', type_url: 'cds' })).toBe(0);
    // Forgotten, not only removed from prom-client: a later observation makes the series again.
    latency.observe({ fleet: 'a', type_url: 'cds' }, 0.05);
    expect(latency.seriesCount).toBe(3);
    expect(await latency.count({ fleet: 'a', type_url: 'cds' })).toBe(1);
    expect(latency.remove({ type_url: 'lds' })).toBe(1);
    expect(latency.remove({ fleet: 'b' })).toBe(1);
    expect(latency.remove({ fleet: 'a' })).toBe(1);
    expect(latency.seriesCount).toBe(0);
  });

  it('keeps one series for a metric without labels', async () => {
    const metrics = new MetricsRegistry();
    const streams = metrics.counter('streams_total', 'Streams.');
    streams.inc();
    streams.inc({});
    expect(streams.seriesCount).toBe(1);
    expect(await streams.value()).toBe(2);
    expect(streams.remove({})).toBe(1);
    streams.inc();
    expect(await streams.value()).toBe(1);
  });

  it('tells a label set with an empty value from one without the label and from one with another value', async () => {
    const metrics = new MetricsRegistry();
    const refusals = metrics.counter('refusals_total', 'Refusals.', ['reason', 'fleet']);
    refusals.inc({ reason: '', fleet: 'a' });
    refusals.inc({ fleet: 'a' }); // no reason at all: a series of its own, as prom-client counts it
    refusals.inc({ reason: 'limit', fleet: 'a' });
    refusals.inc({ reason: 'limit', fleet: '' });
    expect(refusals.seriesCount).toBe(4);
    expect(await refusals.value({ fleet: 'a' })).toBe(1);
    expect(refusals.remove({ reason: 'limit', fleet: 'a' })).toBe(1);
    expect(refusals.seriesCount).toBe(3);
    expect(await refusals.value({ reason: 'limit', fleet: '' })).toBe(1);
  });
});
