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
