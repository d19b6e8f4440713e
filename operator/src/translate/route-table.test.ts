import { describe, expect, it } from 'vitest';
import type { IrRoute } from '../ir/types.js';
import { RouteTable } from './route-table.js';

const route = (origin: string, path: string): IrRoute => ({ match: { kind: 'prefix', path }, action: { kind: 'forward', cluster: 'c' }, origin, name: `${origin}${path}` });

describe('RouteTable.withdraw', () => {
  it('takes back what one offer claimed and the hosts it created, and leaves everything else', () => {
    const table = new RouteTable();
    table.beginOffer();
    table.claim('a.example.com', route('A', '/'));
    table.addHost('empty-by-a.example.com');
    table.beginOffer();
    table.claim('a.example.com', route('B', '/b'));
    table.claim('b.example.com', route('B', '/'));
    table.addHost('c.example.com');
    table.withdraw('B');
    expect(table.hosts()).toEqual(['a.example.com', 'empty-by-a.example.com']);
    expect(table.routes('a.example.com').map((r) => r.origin)).toEqual(['A']);
  });
});
