// Scalar and well-known-type corners of the proto3 JSON mapping, on the synthetic Kitchen message.
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage } from './envoy-protos.js';
import { fromProto3Json, toProto3Json, type JsonValue } from './proto-json.js';
import { PKG, syntheticProtos } from './test-support/synthetic-protos.js';

const KITCHEN = `${PKG}.Kitchen`;
const LEAF_URL = `type.googleapis.com/${PKG}.Leaf`;
const DURATION_URL = 'type.googleapis.com/google.protobuf.Duration';

beforeAll(() => {
  syntheticProtos();
});

function print(object: object): JsonValue {
  return toProto3Json(KITCHEN, object);
}

/** Prints, reads back, re-prints and checks the second print matches the first. */
function roundTrip(object: object): JsonValue {
  const json = print(object);
  expect(JSON.stringify(print(fromProto3Json(KITCHEN, json)))).toBe(JSON.stringify(json));
  return json;
}

describe('scalars', () => {
  it('prints every 64-bit integer kind as a decimal string', () => {
    expect(
      roundTrip({ i64: '-9223372036854775808', u64: '18446744073709551615', s64: -5, fx64: '42', sfx64: '-42', i64s: ['1', '-1', 9007199254740993n.toString()] }),
    ).toEqual({ i64: '-9223372036854775808', u64: '18446744073709551615', s64: '-5', fx64: '42', sfx64: '-42', i64s: ['1', '-1', '9007199254740993'] });
  });

  it('prints 32-bit integers, bools and strings as themselves', () => {
    expect(roundTrip({ i32: -1, u32: 4294967295, s32: -7, fx32: 8, b: true, s: 'é' })).toEqual({ i32: -1, u32: 4294967295, s32: -7, fx32: 8, b: true, s: 'é' });
  });

  it('prints floats at float32 precision and doubles exactly', () => {
    expect(roundTrip({ f: 0.1, d: 0.1 })).toEqual({ f: 0.1, d: 0.1 });
    const decoded = decodeMessage(KITCHEN, encodeMessage(KITCHEN, { f: 0.1 }));
    expect(decoded.f).not.toBe(0.1);
    expect(print(decoded)).toEqual({ f: 0.1 });
  });

  it('spells NaN and the infinities as strings, and keeps -0', () => {
    expect(roundTrip({ f: NaN, d: -Infinity, ds: [Infinity, -0, 1.5] })).toEqual({ f: 'NaN', d: '-Infinity', ds: ['Infinity', -0, 1.5] });
  });

  it('prints bytes as standard base64 and reads URL-safe base64 too', () => {
    expect(roundTrip({ by: Buffer.from([0xfb, 0xff, 0x01]) })).toEqual({ by: '+/8B' });
    expect(print(fromProto3Json(KITCHEN, { by: '-_8B' }))).toEqual({ by: '+/8B' });
  });

  it('omits fields at their proto3 default', () => {
    expect(print({ i64: '0', u32: 0, f: 0, b: false, s: '', by: Buffer.alloc(0), color: 'COLOR_UNSPECIFIED', colors: [], by_id: {} })).toEqual({});
  });
});

describe('enums', () => {
  it('prints names, the first declared one for aliases, and numbers for unknown values', () => {
    expect(roundTrip({ color: 'CRIMSON', colors: ['BLUE', 1, 17] })).toEqual({ color: 'RED', colors: ['BLUE', 'RED', 17] });
  });

  it('prints google.protobuf.NullValue as null and reads null back', () => {
    expect(print({ nothing: 0 })).toEqual({});
    expect(fromProto3Json(KITCHEN, { nothing: null })).toEqual({ nothing: 'NULL_VALUE' });
  });
});

describe('presence', () => {
  it('keeps proto3 optional fields that are present, even at their default', () => {
    expect(roundTrip({ maybe: '', maybe_count: 0 })).toEqual({ maybe: '', maybe_count: 0 });
    expect(print({})).toEqual({});
  });

  it('keeps the set oneof member, even at its default, and empty messages', () => {
    expect(roundTrip({ pick_number: 0 })).toEqual({ pick_number: 0 });
    expect(roundTrip({ pick_kitchen: {} })).toEqual({ pick_kitchen: {} });
    expect(roundTrip({ empty: {} })).toEqual({ empty: {} });
  });
});

describe('maps', () => {
  it('sorts keys by their typed value and converts values', () => {
    const json = roundTrip({ by_id: { 10: 'ten', '-1': 'minus one', 9: 'nine' }, by_flag: { true: 'y', false: 'n' }, color_by_port: { 443: 'BLUE', 80: 1 } });
    expect(JSON.stringify(json)).toBe(
      JSON.stringify({ by_id: { '-1': 'minus one', 9: 'nine', 10: 'ten' }, by_flag: { false: 'n', true: 'y' }, color_by_port: { 80: 'RED', 443: 'BLUE' } }),
    );
    expect(Object.keys((json as { by_id: object }).by_id)).toEqual(['9', '10', '-1']);
  });

  it('prints message values recursively', () => {
    expect(roundTrip({ children: { b: { s: 'x' }, a: {} } })).toEqual({ children: { a: {}, b: { s: 'x' } } });
  });

  it('reads decoded 64-bit keys, which protobufjs stores as long hashes', () => {
    const decoded = decodeMessage(KITCHEN, encodeMessage(KITCHEN, { by_id: { 5: 'five', '-2': 'minus two' } }));
    expect(print(decoded)).toEqual({ by_id: { '-2': 'minus two', 5: 'five' } });
  });

  it('rejects malformed map keys', () => {
    expect(() => fromProto3Json(KITCHEN, { by_flag: { yes: 'x' } })).toThrow(/expected a bool map key/);
    expect(() => fromProto3Json(KITCHEN, { color_by_port: { http: 'RED' } })).toThrow(/expected an integer/);
  });
});

describe('well-known types', () => {
  it.each([
    [{ seconds: 15 }, '15s'],
    [{ seconds: 0, nanos: 250_000_000 }, '0.250s'],
    [{ seconds: 1, nanos: 1 }, '1.000000001s'],
    [{ seconds: 1, nanos: 1000 }, '1.000001s'],
    [{ seconds: -1, nanos: -500_000_000 }, '-1.500s'],
    [{ seconds: 0, nanos: -1 }, '-0.000000001s'],
    [{}, '0s'],
    [{ seconds: '315576000000' }, '315576000000s'],
  ])('Duration %j prints as %j', (duration, text) => {
    expect(roundTrip({ dur: duration })).toEqual({ dur: text });
  });

  it('refuses to print an invalid Duration', () => {
    expect(() => print({ dur: { seconds: 1, nanos: -1 } })).toThrow(/different signs/);
    expect(() => print({ dur: { seconds: '315576000001' } })).toThrow(/out of range/);
  });

  it.each([
    [{ seconds: 0 }, '1970-01-01T00:00:00Z'],
    [{ seconds: 1700000000, nanos: 5_000_000 }, '2023-11-14T22:13:20.005Z'],
    [{ seconds: -62135596800 }, '0001-01-01T00:00:00Z'],
    [{ seconds: 253402300799, nanos: 999_999_999 }, '9999-12-31T23:59:59.999999999Z'],
  ])('Timestamp %j prints as %j', (timestamp, text) => {
    expect(roundTrip({ at: timestamp })).toEqual({ at: text });
  });

  it('refuses to print a Timestamp outside years 1–9999', () => {
    expect(() => print({ at: { seconds: 253402300800 } })).toThrow(/out of range/);
  });

  it('prints every wrapper as its plain value, defaults included', () => {
    const json = roundTrip({
      fw: { value: 1.5 },
      dw: { value: 0 },
      i64w: { value: '-3' },
      u64w: { value: '18446744073709551615' },
      i32w: { value: 0 },
      u32w: { value: 7 },
      bw: { value: false },
      sw: { value: '' },
      byw: { value: Buffer.from('hi') },
    });
    expect(json).toEqual({ fw: 1.5, dw: 0, i64w: '-3', u64w: '18446744073709551615', i32w: 0, u32w: 7, bw: false, sw: '', byw: 'aGk=' });
  });

  it('prints Struct, Value and ListValue as plain JSON', () => {
    const meta = {
      fields: {
        z: { numberValue: 1 },
        a: { structValue: { fields: { on: { boolValue: true }, none: { nullValue: 'NULL_VALUE' } } } },
        list: { listValue: { values: [{ stringValue: 's' }, { numberValue: 2.5 }, { listValue: { values: [] } }] } },
      },
    };
    const json = roundTrip({ meta, value: { stringValue: 'v' }, list: { values: [{ boolValue: false }] } });
    expect(JSON.stringify(json)).toBe(JSON.stringify({ meta: { a: { none: null, on: true }, list: ['s', 2.5, []], z: 1 }, value: 'v', list: [false] }));
  });

  it('prints a Value holding null as null, and reads null into a Value field', () => {
    expect(roundTrip({ value: { nullValue: 'NULL_VALUE' } })).toEqual({ value: null });
    expect(fromProto3Json(KITCHEN, { value: null })).toEqual({ value: { nullValue: 'NULL_VALUE' } });
  });

  it('refuses Values that JSON cannot carry', () => {
    expect(() => print({ value: {} })).toThrow(/no kind set/);
    expect(() => print({ value: { numberValue: NaN } })).toThrow(/cannot hold NaN/);
  });

  it('prints FieldMask as comma-joined lowerCamel paths', () => {
    expect(roundTrip({ mask: { paths: ['virtual_hosts', 'route_config.name', 'x'] } })).toEqual({ mask: 'virtualHosts,routeConfig.name,x' });
    expect(fromProto3Json(KITCHEN, { mask: 'fooBar.bazQux' })).toEqual({ mask: { paths: ['foo_bar.baz_qux'] } });
    expect(fromProto3Json(KITCHEN, { mask: '' })).toEqual({ mask: { paths: [] } });
  });
});

describe('Any', () => {
  it('inlines the fields of an ordinary message after @type', () => {
    expect(JSON.stringify(roundTrip({ payload: { '@type': LEAF_URL, name: 'n' } }))).toBe(JSON.stringify({ payload: { '@type': LEAF_URL, name: 'n' } }));
  });

  it('puts well-known types with a special JSON form under "value"', () => {
    expect(roundTrip({ payloads: [{ '@type': DURATION_URL, seconds: 1, nanos: 500_000_000 }] })).toEqual({ payloads: [{ '@type': DURATION_URL, value: '1.500s' }] });
    expect(
      roundTrip({ payloads: [{ '@type': 'type.googleapis.com/google.protobuf.Struct', fields: { k: { stringValue: 'v' } } }, { '@type': 'type.googleapis.com/google.protobuf.UInt32Value', value: 3 }] }),
    ).toEqual({
      payloads: [
        { '@type': 'type.googleapis.com/google.protobuf.Struct', value: { k: 'v' } },
        { '@type': 'type.googleapis.com/google.protobuf.UInt32Value', value: 3 },
      ],
    });
  });

  it('prints Empty inside an Any as an ordinary (field-less) message', () => {
    expect(roundTrip({ payload: { '@type': 'type.googleapis.com/google.protobuf.Empty' } })).toEqual({ payload: { '@type': 'type.googleapis.com/google.protobuf.Empty' } });
  });

  it('unpacks Anys nested inside Anys', () => {
    const inner = { '@type': LEAF_URL, name: 'deep' };
    const json = print({ payload: { '@type': `type.googleapis.com/${PKG}.Kitchen`, payload: inner, dur: { seconds: 2 } } });
    expect(JSON.stringify(json)).toBe(JSON.stringify({ payload: { '@type': `type.googleapis.com/${PKG}.Kitchen`, dur: '2s', payload: inner } }));
  });

  it('prints an Any holding an Any under "value" and refuses to read that back', () => {
    const kitchen = syntheticProtos().lookupType(KITCHEN);
    const any = syntheticProtos().lookupType('google.protobuf.Any');
    const leafBytes = syntheticProtos().lookupType(`${PKG}.Leaf`).encode({ name: 'x' }).finish();
    const innerAny = any.encode({ type_url: LEAF_URL, value: leafBytes }).finish();
    const message = kitchen.decode(kitchen.encode({ payload: { type_url: 'type.googleapis.com/google.protobuf.Any', value: innerAny } }).finish());
    // fromObject hands a Message instance of its own type back unchanged.
    const json = toProto3Json(KITCHEN, message);
    expect(json).toEqual({ payload: { '@type': 'type.googleapis.com/google.protobuf.Any', value: { '@type': LEAF_URL, name: 'x' } } });
    expect(() => fromProto3Json(KITCHEN, json)).toThrow(/an Any holding an Any is not supported/);
  });

  it('prints an empty Any as {}', () => {
    expect(roundTrip({ payload: {} })).toEqual({ payload: {} });
  });

  it('rejects an Any of a special type without exactly a "value" key', () => {
    expect(() => fromProto3Json(KITCHEN, { payload: { '@type': DURATION_URL, seconds: 1 } })).toThrow(/takes exactly one "value" key/);
  });
});

describe('fromProto3Json scalar parsing', () => {
  it('accepts integers as numbers or strings and floats as numbers or numeric strings', () => {
    expect(fromProto3Json(KITCHEN, { u32: '42', i64: 7, u64: '1e3', d: '2.5', f: 'Infinity' })).toEqual({ u32: 42, i64: '7', u64: '1000', d: 2.5, f: Infinity });
  });

  it.each([
    [{ i64: '9223372036854775808' }, /out of range for int64/],
    [{ u64: '-1' }, /out of range for uint64/],
    [{ i32: 2147483648 }, /out of range for int32/],
    [{ b: 'true' }, /expected a boolean/],
    [{ d: 'abc' }, /expected a number/],
    [{ by: 'not base64!' }, /expected base64 bytes/],
    [{ color: 'GREEN' }, /"GREEN" is not a value of portico\.protostest\.Color/],
    [{ at: '2023-02-29T00:00:00Z' }, /no such date/],
    [{ dur: '1.0000000001s' }, /invalid google\.protobuf\.Duration/],
  ])('rejects %j', (json, error) => {
    expect(() => fromProto3Json(KITCHEN, json)).toThrow(error);
  });
});
