import { describe, expect, it } from 'vitest';
import { rejectedResourceNames } from './nack.js';

describe('rejectedResourceNames', () => {
  const names = ['default/a/80', 'default/b/80', 'default/c/80'];
  it('uses the resource indexes gRPC clients report', () => {
    expect(rejectedResourceNames('xDS response validation errors: [resource index 2: bad; resource index 0: worse]', names)).toEqual(['default/a/80', 'default/c/80']);
  });
  it('falls back to names quoted in the message, as Envoy writes them', () => {
    expect(rejectedResourceNames("Error adding/updating cluster(s) default/b/80: unknown field", names)).toEqual(['default/b/80']);
  });
  it('blames the whole response when nothing narrows it down', () => {
    expect(rejectedResourceNames('INTERNAL', names)).toEqual(names);
  });
});

describe('rejectedResourceNames on a huge message', () => {
  it('looks only at the start of the message, so a 4 MB error costs no more than a short one', () => {
    const names = Array.from({ length: 2_000 }, (_, i) => `default/svc-${i}/80`);
    // What lies beyond NACK_SCAN_CHARS is not read: index 7 is not blamed.
    const rejected = rejectedResourceNames(`resource index 3: bad ${'x'.repeat(4_000_000)} resource index 7: hidden`, names);
    expect(rejected).toEqual(['default/svc-3/80']);
  });
});
