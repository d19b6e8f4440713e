import { describe, expect, it } from 'vitest';
import { NodeStreams } from './node-streams.js';

describe('NodeStreams', () => {
  it('limits streams per node id and host, so pods that share one id are each counted on their own', () => {
    const streams = new NodeStreams(2);
    expect([streams.admit('envoy', '10.0.0.1'), streams.admit('envoy', '10.0.0.1'), streams.admit('envoy', '10.0.0.1')]).toEqual([true, true, false]);
    expect(streams.admit('envoy', '10.0.0.2')).toBe(true);
    expect(streams.count('envoy')).toBe(3);
    // The node's last stream is the last from any host: only then are its NACKs forgotten.
    expect([streams.release('envoy', '10.0.0.1'), streams.release('envoy', '10.0.0.1'), streams.release('envoy', '10.0.0.2')]).toEqual([false, false, true]);
    expect(streams.admit('envoy', '10.0.0.1')).toBe(true);
  });
});
