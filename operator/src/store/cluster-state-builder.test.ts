import { describe, expect, it } from 'vitest';
import { ClusterStateBuilder } from './cluster-state-builder.js';

const service = (): object => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } });

describe('ClusterStateBuilder', () => {
  it('converts a raw document once: the same document in a later build gives the same typed object', () => {
    const raw = service();
    const build = (document: object): unknown => {
      const builder = new ClusterStateBuilder();
      expect(builder.add(document, 'file.yaml')).toEqual([]);
      return builder.build().services[0];
    };
    const first = build(raw);
    expect(build(raw)).toBe(first);
    expect(first).toMatchObject({ metadata: { name: 'web', namespace: 'default' } });
    // An equal but distinct document (an edited file parsed again) is converted again.
    const other = build(service());
    expect(other).not.toBe(first);
    expect(other).toEqual(first);
    expect(raw).toEqual(service()); // the raw document itself is never changed
  });
});
