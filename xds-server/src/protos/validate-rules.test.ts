// Rule kinds the loaded Envoy protos do not exercise, checked on the synthetic portico.protostest
// messages (see test-support/synthetic-protos.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { validateMessage } from './validate.js';
import { PKG, syntheticProtos } from './test-support/synthetic-protos.js';
import { without } from './test-support/without.js';

beforeAll(() => {
  syntheticProtos();
});

const NUMBERS = `${PKG}.Numbers`;
const STRINGS = `${PKG}.Strings`;
const COLLECTIONS = `${PKG}.Collections`;
const MESSAGES = `${PKG}.Messages`;
const LEAF_URL = `type.googleapis.com/${PKG}.Leaf`;
const OFF_URL = `type.googleapis.com/${PKG}.Off`;

/** A Numbers message satisfying every rule, to which each test applies one change. */
const okNumbers = {
  inside: 5,
  outside: 11,
  big: '3',
  listed: '2',
  unlisted: 1,
  fixed: 7,
  ratio: 0.5,
  f: 0.2,
  away: '2',
  must: true,
  half_open: '0',
  closed_out: '5',
  gte_out: 25,
};

/** Violation messages for one field of a message. */
function messagesAt(type: string, object: object, path: string): string[] {
  return validateMessage(type, object)
    .filter((v) => v.path === path)
    .map((v) => v.message);
}

describe('numeric rules', () => {
  it('accepts the baseline', () => {
    expect(validateMessage(NUMBERS, okNumbers)).toEqual([]);
  });

  it.each([
    ['inside', 0, 'value must be inside range (0, 10)'],
    ['inside', 10, 'value must be inside range (0, 10)'],
    ['outside', 0, 'value must be outside range [0, 10]'],
    ['outside', 10, 'value must be outside range [0, 10]'],
    ['outside', 5, 'value must be outside range [0, 10]'],
    ['big', '0', 'value must be inside range [1, 5]'],
    ['big', '6', 'value must be inside range [1, 5]'],
    ['big', '9223372036854775807', 'value must be inside range [1, 5]'],
    ['listed', '4', 'value must be in list [1 2 3]'],
    ['unlisted', -1, 'value must not be in list [-1 0]'],
    ['fixed', 8, 'value must equal 7'],
    ['ratio', 1.5, 'value must be inside range [0, 1]'],
    ['f', 0.1, 'value must be greater than 0.10000000149011612'],
    ['away', '0', 'value must be outside range (-1, 1)'],
    ['half_open', '10', 'value must be inside range [0, 10)'],
    ['half_open', '-1', 'value must be inside range [0, 10)'],
    ['closed_out', '15', 'value must be outside range (10, 20]'],
    ['closed_out', '20', 'value must be outside range (10, 20]'],
    ['gte_out', 15, 'value must be outside range [10, 20)'],
    ['gte_out', 10, 'value must be outside range [10, 20)'],
    ['must', false, 'value must equal true'],
    ['maybe_zero', 4, 'value must be greater than or equal to 5'],
  ])('%s = %j is flagged', (field, value, message) => {
    expect(validateMessage(NUMBERS, { ...okNumbers, [field]: value })).toEqual([{ path: field, message }]);
  });

  it.each([
    ['outside', -1],
    ['closed_out', '21'],
    ['closed_out', '10'],
    ['gte_out', 20],
    ['gte_out', 9.99],
    ['away', '-1'],
    ['away', '1'],
    ['maybe_zero', 0],
    ['maybe_zero', 5],
  ])('%s = %j is accepted', (field, value) => {
    expect(validateMessage(NUMBERS, { ...okNumbers, [field]: value })).toEqual([]);
  });

  it('applies scalar rules to the default of a field without presence', () => {
    const rest = without(okNumbers, 'inside');
    expect(validateMessage(NUMBERS, rest)).toEqual([{ path: 'inside', message: 'value must be inside range (0, 10)' }]);
  });

  it('applies wrapper rules only when the wrapper is set, including to a wrapped default', () => {
    expect(validateMessage(NUMBERS, { ...okNumbers, wrapped: { value: '101' } })).toEqual([]);
    expect(validateMessage(NUMBERS, { ...okNumbers, wrapped: { value: '100' } })).toEqual([{ path: 'wrapped', message: 'value must be greater than 100' }]);
    expect(validateMessage(NUMBERS, { ...okNumbers, wrapped: {} })).toEqual([{ path: 'wrapped', message: 'value must be greater than 100' }]);
  });
});

describe('string rules', () => {
  const okStrings = { exact: 'x', runes: 'ab', bytes: 'ab', len: 'éé', affixes: 'amz', choice: 'a', header_name: ':path', loose_name: 'x y', header_value: 'v', a: 'aa' };

  it('accepts the baseline', () => {
    expect(validateMessage(STRINGS, okStrings)).toEqual([]);
  });

  it.each([
    ['exact', 'y', ['value must equal "x"']],
    ['runes', 'a', ['value length must be at least 2 runes']],
    ['runes', 'abcd', ['value length must be at most 3 runes']],
    ['bytes', 'é', []],
    ['bytes', 'éé', ['value length must be at most 3 bytes']],
    ['bytes', 'a', ['value length must be at least 2 bytes']],
    ['len', 'ab', ['value length must be 4 bytes']],
    ['len', 'ééé', ['value length must be 2 runes', 'value length must be 4 bytes']],
    ['affixes', 'bmz', ['value does not have prefix "a"']],
    ['affixes', 'amy', ['value does not have suffix "z"']],
    ['affixes', 'az', ['value does not contain substring "m"']],
    ['affixes', 'amxz', ['value contains substring "x"']],
    ['choice', 'd', ['value must be in list [a b]']],
    ['choice', 'c', ['value must be in list [a b]', 'value must not be in list [c]']],
    ['header_name', 'x y', ['value must be a valid HTTP header name (HTTP_HEADER_NAME)']],
    ['header_name', '', ['value must be a valid HTTP header name (HTTP_HEADER_NAME)']],
    ['header_name', 'a,b', []],
    ['loose_name', 'x\ny', ['value must not contain NUL, CR or LF (HTTP_HEADER_NAME, strict: false)']],
    ['header_value', 'tab\tok', []],
    ['header_value', 'bell\u0007', ['value must be a valid HTTP header value (HTTP_HEADER_VALUE)']],
    ['header_value', 'del\u007f', ['value must be a valid HTTP header value (HTTP_HEADER_VALUE)']],
    ['optional_header', 'x y', ['value must be a valid HTTP header name (HTTP_HEADER_NAME)']],
    ['host', 'example.com.', []],
    ['host', '-bad.example', ['value must be a valid hostname']],
    ['host', 'under_score.example', ['value must be a valid hostname']],
    ['host', `${'a'.repeat(64)}.example`, ['value must be a valid hostname']],
    ['ip', '::1', []],
    ['ip', '10.0.0.256', ['value must be a valid IP address']],
    ['ipv4', '::1', ['value must be a valid IPv4 address']],
    ['ipv6', '10.0.0.1', ['value must be a valid IPv6 address']],
    ['ipv6', '2001:db8::1', []],
    ['email', 'ops@example.com', []],
    ['email', 'Ops <ops@example.com>', []],
    ['email', 'ops.example.com', ['value must be a valid email address']],
    ['email', 'ops@-example.com', ['value must be a valid email address']],
    ['uri', 'https://example.com/a?b', []],
    ['uri', '/relative', ['value must be a valid URI']],
    ['uri_ref', '/relative', []],
    ['uri_ref', 'http://[bad', ['value must be a valid URI']],
    ['address', '10.1.2.3', []],
    ['address', 'svc.ns.svc.cluster.local', []],
    ['address', 'not an address', ['value must be a valid hostname, or ip address']],
    ['uuid', '123e4567-e89b-12d3-a456-426614174000', []],
    ['uuid', '123e4567e89b12d3a456426614174000', ['value must be a valid UUID']],
    ['letters', 'Grüße', []],
    ['letters', 'abc1', ['value does not match regex pattern "^\\\\pL+$"']],
  ])('%s = %j → %j', (field, value, messages) => {
    expect(messagesAt(STRINGS, { ...okStrings, [field]: value }, field)).toEqual(messages);
  });

  it('counts runes, not UTF-16 code units', () => {
    expect(messagesAt(STRINGS, { ...okStrings, runes: '😀😀' }, 'runes')).toEqual([]);
    expect(messagesAt(STRINGS, { ...okStrings, runes: '😀' }, 'runes')).toEqual(['value length must be at least 2 runes']);
  });

  it('skips every rule of an empty field marked ignore_empty', () => {
    expect(messagesAt(STRINGS, { ...okStrings, optional_header: '', host: '', email: '' }, 'optional_header')).toEqual([]);
  });

  it('reports a pattern that is not valid RE2 instead of throwing', () => {
    expect(messagesAt(`${PKG}.BadPattern`, { value: 'x' }, 'value')).toEqual([
      expect.stringMatching(/^rule pattern "\(unclosed" is not valid RE2: /),
    ]);
  });

  it('checks string wrappers only when set', () => {
    expect(messagesAt(STRINGS, { ...okStrings, wrapped: { value: 'ab' } }, 'wrapped')).toEqual(['value length must be at least 3 runes']);
    expect(messagesAt(STRINGS, okStrings, 'wrapped')).toEqual([]);
  });

  it('requires one member of a required oneof and checks only the member that is set', () => {
    const noMember = without(okStrings, 'a');
    expect(messagesAt(STRINGS, noMember, 'either')).toEqual(['value is required: set one of a, b']);
    expect(validateMessage(STRINGS, { ...noMember, b: 0 })).toEqual([]);
    expect(messagesAt(STRINGS, { ...noMember, a: 'x' }, 'a')).toEqual(['value length must be at least 2 runes']);
  });
});

describe('repeated and map rules', () => {
  const okCollections = { tags: ['a'], by_name: { k1: { name: 'n' } } };

  it('accepts the baseline', () => {
    expect(validateMessage(COLLECTIONS, okCollections)).toEqual([]);
  });

  it('checks min_items, max_items, unique and item rules', () => {
    expect(validateMessage(COLLECTIONS, { ...okCollections, tags: [] })).toEqual([{ path: 'tags', message: 'value must contain at least 1 item(s)' }]);
    expect(validateMessage(COLLECTIONS, { ...okCollections, tags: ['a', 'b', 'c', 'd'] })).toEqual([
      { path: 'tags', message: 'value must contain no more than 3 item(s)' },
    ]);
    expect(validateMessage(COLLECTIONS, { ...okCollections, tags: ['a', '', 'a'] })).toEqual([
      { path: 'tags', message: 'repeated value must contain unique items' },
      { path: 'tags[1]', message: 'value length must be at least 1 runes' },
    ]);
  });

  it('compares 64-bit items by value whatever their spelling', () => {
    expect(validateMessage(COLLECTIONS, { ...okCollections, ids: ['1', 1] })).toEqual([{ path: 'ids', message: 'repeated value must contain unique items' }]);
    expect(validateMessage(COLLECTIONS, { ...okCollections, ids: ['1', '18446744073709551615'] })).toEqual([]);
  });

  it('skips min_items on an empty list marked ignore_empty, but not on a short one', () => {
    expect(validateMessage(COLLECTIONS, { ...okCollections, optional_list: [] })).toEqual([]);
    expect(validateMessage(COLLECTIONS, { ...okCollections, optional_list: ['x'] })).toEqual([
      { path: 'optional_list', message: 'value must contain at least 2 item(s)' },
    ]);
  });

  it('recurses into repeated messages unless items.message.skip', () => {
    expect(validateMessage(COLLECTIONS, { ...okCollections, leaves: [{ name: 'a' }, { name: '' }], skipped: [{ name: '' }] })).toEqual([
      { path: 'leaves[1].name', message: 'value length must be at least 1 runes' },
    ]);
  });

  it('checks enum and bytes item rules', () => {
    expect(validateMessage(COLLECTIONS, { ...okCollections, colors: ['RED', 'BLUE', 7], blobs: [Buffer.from(''), Buffer.from('abcde'), 'AQID'] })).toEqual([
      { path: 'colors[1]', message: 'value must not be in list [2]' },
      { path: 'colors[2]', message: 'value must be one of the defined enum values' },
      { path: 'blobs[0]', message: 'value length must be at least 1 bytes' },
      { path: 'blobs[1]', message: 'value length must be at most 4 bytes' },
    ]);
  });

  it('checks wrapper items', () => {
    expect(validateMessage(COLLECTIONS, { ...okCollections, weights: [{ value: 1 }, { value: 0 }] })).toEqual([
      { path: 'weights[1]', message: 'value must be greater than or equal to 1' },
    ]);
  });

  it('checks min_pairs, max_pairs, keys and values of maps', () => {
    expect(validateMessage(COLLECTIONS, { ...okCollections, by_name: {} })).toEqual([{ path: 'by_name', message: 'value must contain at least 1 pair(s)' }]);
    expect(validateMessage(COLLECTIONS, { ...okCollections, by_name: { k1: {}, k2: { name: 'b' }, x: { name: 'c' } } })).toEqual([
      { path: 'by_name', message: 'value must contain no more than 2 pair(s)' },
      { path: 'by_name["k1"].name', message: 'value length must be at least 1 runes' },
      { path: 'by_name["x"]', message: 'map key: value does not have prefix "k"' },
    ]);
    expect(validateMessage(COLLECTIONS, { ...okCollections, by_port: { 0: 'a', 443: '', 8080: 'b' } })).toEqual([
      { path: 'by_port["0"]', message: 'map key: value must be inside range [1, 65535]' },
      { path: 'by_port["443"]', message: 'value length must be at least 1 runes' },
    ]);
  });

  it('skips map message values under values.message.skip', () => {
    expect(validateMessage(COLLECTIONS, { ...okCollections, skipped_values: { a: { name: '' } } })).toEqual([]);
  });
});

describe('message, well-known type and any rules', () => {
  const okMessages = {
    required: { name: 'r' },
    timeout: { seconds: 30 },
    payload: { '@type': LEAF_URL, name: 'p' },
    raw: Buffer.from('abcd'),
    color: 'RED',
  };

  it('accepts the baseline', () => {
    expect(validateMessage(MESSAGES, okMessages)).toEqual([]);
  });

  it('checks message.required and recurses into set messages unless message.skip', () => {
    const rest = without(okMessages, 'required');
    expect(validateMessage(MESSAGES, { ...rest, skipped: { name: '' }, checked: { name: '' } })).toEqual([
      { path: 'required', message: 'value is required' },
      { path: 'checked.name', message: 'value length must be at least 1 runes' },
    ]);
  });

  it('skips messages whose options say validate.disabled or validate.ignored', () => {
    expect(validateMessage(MESSAGES, { ...okMessages, off: { name: '' }, ignored: { name: '' } })).toEqual([]);
    expect(validateMessage(`${PKG}.Off`, { name: '' })).toEqual([]);
  });

  it('checks Duration required, ranges, in, const and not_in', () => {
    const rest = without(okMessages, 'timeout');
    expect(validateMessage(MESSAGES, rest)).toEqual([{ path: 'timeout', message: 'value is required' }]);
    expect(messagesAt(MESSAGES, { ...okMessages, timeout: {} }, 'timeout')).toEqual(['value must be inside range (0s, 60s]']);
    expect(messagesAt(MESSAGES, { ...okMessages, timeout: { seconds: 60, nanos: 1 } }, 'timeout')).toEqual(['value must be inside range (0s, 60s]']);
    expect(messagesAt(MESSAGES, { ...okMessages, timeout: { seconds: 60 } }, 'timeout')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, listed: { nanos: 500_000_000 } }, 'listed')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, listed: { seconds: 2 } }, 'listed')).toEqual(['value must be in list [1s 0.500s]']);
    expect(messagesAt(MESSAGES, { ...okMessages, fixed: { seconds: 3 } }, 'fixed')).toEqual(['value must equal 2s', 'value must not be in list [3s]']);
  });

  it('reports an invalid Duration instead of comparing it', () => {
    expect(messagesAt(MESSAGES, { ...okMessages, timeout: { seconds: 1, nanos: -1 } }, 'timeout')).toEqual([
      'value is not a valid duration: seconds and nanos have different signs',
    ]);
  });

  it('checks Timestamp ranges and the *_now rules against the clock', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(messagesAt(MESSAGES, { ...okMessages, at: { seconds: 0 } }, 'at')).toEqual(['value must be inside range (1970-01-01T00:00:00Z, 2100-01-01T00:00:00Z)']);
    expect(messagesAt(MESSAGES, { ...okMessages, at: { seconds: 1 } }, 'at')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, recent: { seconds: now - 60 } }, 'recent')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, recent: { seconds: now - 7200 } }, 'recent')).toEqual(['value must be less than now within 3600s']);
    expect(messagesAt(MESSAGES, { ...okMessages, recent: { seconds: now + 60 } }, 'recent')).toEqual(['value must be less than now within 3600s']);
    expect(messagesAt(MESSAGES, { ...okMessages, soon: { seconds: now + 60 } }, 'soon')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, soon: { seconds: now - 60 } }, 'soon')).toEqual(['value must be greater than now']);
    expect(messagesAt(MESSAGES, { ...okMessages, near: { seconds: now + 3600 } }, 'near')).toEqual(['value must be within 60s of now']);
  });

  it('checks Any required, in and not_in, then validates the unpacked message', () => {
    const rest = without(okMessages, 'payload');
    expect(validateMessage(MESSAGES, rest)).toEqual([{ path: 'payload', message: 'value is required' }]);
    expect(messagesAt(MESSAGES, { ...okMessages, payload: { '@type': `type.googleapis.com/${PKG}.Numbers`, ...okNumbers } }, 'payload')).toEqual([
      `type URL must be in list [${LEAF_URL} ${OFF_URL}]`,
    ]);
    expect(validateMessage(MESSAGES, { ...okMessages, payload: { '@type': LEAF_URL, name: '' } })).toEqual([
      { path: 'payload.name', message: 'value length must be at least 1 runes' },
    ]);
    expect(messagesAt(MESSAGES, { ...okMessages, other: { '@type': OFF_URL } }, 'other')).toEqual([`type URL must not be in list [${OFF_URL}]`]);
  });

  it('checks a proto3 optional field only when present, then even at its default', () => {
    expect(messagesAt(MESSAGES, okMessages, 'opt')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, opt: '' }, 'opt')).toEqual(['value length must be at least 2 runes']);
  });

  it('checks bytes len, prefix, suffix, contains and ipv4', () => {
    expect(messagesAt(MESSAGES, { ...okMessages, raw: Buffer.from('abc') }, 'raw')).toEqual(['value length must be 4 bytes']);
    expect(messagesAt(MESSAGES, { ...okMessages, framed: Buffer.from('<=>') }, 'framed')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, framed: Buffer.from('x-y') }, 'framed')).toEqual([
      'value does not have the required prefix bytes',
      'value does not have the required suffix bytes',
      'value does not contain the required bytes',
    ]);
    expect(messagesAt(MESSAGES, { ...okMessages, ip: Buffer.from([10, 0, 0, 1]) }, 'ip')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, ip: Buffer.from([10, 0, 0]) }, 'ip')).toEqual(['value must be a valid IPv4 address']);
  });

  it('checks enum const and in, including on the default value', () => {
    expect(messagesAt(MESSAGES, { ...okMessages, color: 'CRIMSON' }, 'color')).toEqual([]);
    expect(messagesAt(MESSAGES, { ...okMessages, color: 'BLUE' }, 'color')).toEqual(['value must equal 1']);
    const rest = without(okMessages, 'color');
    expect(messagesAt(MESSAGES, rest, 'color')).toEqual(['value must equal 1']);
    expect(messagesAt(MESSAGES, { ...okMessages, shade: 'BLUE' }, 'shade')).toEqual(['value must be in list [0 1]']);
  });

  it('ignores unknown rule kinds and rules that do not match the field type', () => {
    expect(validateMessage(MESSAGES, { ...okMessages, mismatched: 0, future: '', wrong_kind: { name: 'n' } })).toEqual([]);
  });
});
