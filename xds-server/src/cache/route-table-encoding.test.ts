import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES, encodeMessage } from '../protos/envoy-protos.js';
import type { RouteConfiguration } from '../resources.js';
import { encodeRouteTable, encodedHostFields } from './route-table-encoding.js';
import type { EncodedTable } from './route-table-encoding.js';

function host(name: string, cluster: string): NonNullable<RouteConfiguration['virtual_hosts']>[number] {
  return { name, domains: [name], routes: [{ match: { prefix: '/' }, route: { cluster } }] };
}

function table(hosts: ReturnType<typeof host>[]): RouteConfiguration {
  return {
    name: 'ingress_http',
    virtual_hosts: hosts,
    validate_clusters: { value: false },
    vhds: { config_source: { ads: {}, resource_api_version: 'V3' } },
    request_headers_to_remove: ['x-internal'],
  };
}

function bytesOf(encoded: EncodedTable): Buffer {
  return Buffer.concat(encoded.pieces);
}

function protobufjsEncoding(object: RouteConfiguration): Buffer {
  return Buffer.from(encodeMessage(RESOURCE_TYPES.routeConfiguration, object));
}

describe('route tables encoded host by host', () => {
  it('gives exactly the bytes of encoding the whole table at once', () => {
    const whole = table([host('a.example.com', 'c1'), host('b.example.com', 'c2'), host('*', 'c3')]);
    expect(bytesOf(encodeRouteTable(whole)).equals(protobufjsEncoding(whole))).toBe(true);
    expect(bytesOf(encodeRouteTable({ name: 'empty' })).equals(protobufjsEncoding({ name: 'empty' }))).toBe(true);
  });

  it('reuses the encoding of every host whose content did not change', () => {
    const first = table([host('a.example.com', 'c1'), host('b.example.com', 'c2')]);
    encodeRouteTable(first);
    // Fresh objects, as the translator builds them on every change; only b changes.
    const second = table([host('a.example.com', 'c1'), host('b.example.com', 'c9'), host('c.example.com', 'c3')]);
    const encoded = encodeRouteTable(second, first);
    expect(bytesOf(encoded).equals(protobufjsEncoding(second))).toBe(true);
    const [a1, b1] = encodedHostFields(first) ?? [];
    const [a2, b2, c2] = encodedHostFields(second) ?? [];
    expect(a2).toBe(a1);
    expect(b2).not.toBe(b1);
    expect(c2).toBeDefined();
  });

  it('versions by content: equal tables alike however encoded, any change of a host or of the table another version', () => {
    const hosts = (): ReturnType<typeof host>[] => [host('a.example.com', 'c1'), host('b.example.com', 'c2')];
    const first = table(hosts());
    const alone = encodeRouteTable(table(hosts())).version;
    expect(encodeRouteTable(first).version).toBe(alone);
    // From the previous table's parts (reused, or equal content in new objects): the same version.
    expect(encodeRouteTable(table(hosts()), first).version).toBe(alone);
    expect(encodeRouteTable(table([host('a.example.com', 'c1'), host('b.example.com', 'c9')]), first).version).not.toBe(alone);
    expect(encodeRouteTable(table([host('b.example.com', 'c2'), host('a.example.com', 'c1')])).version).not.toBe(alone);
    expect(encodeRouteTable(table([host('a.example.com', 'c1')])).version).not.toBe(alone);
    expect(encodeRouteTable({ ...table(hosts()), request_headers_to_remove: ['x-other'] }).version).not.toBe(alone);
    expect(encodeRouteTable({ ...table(hosts()), name: 'ingress_https' }).version).not.toBe(alone);
    expect(alone).toMatch(/^[0-9a-f]{16}$/);
  });
});
