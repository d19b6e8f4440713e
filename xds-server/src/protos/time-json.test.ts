import { describe, expect, it } from 'vitest';
import { durationProblem, formatDuration, formatTimestamp, parseDuration, parseTimestamp } from './time-json.js';

describe('Duration text', () => {
  it.each([
    ['15s', { seconds: '15', nanos: 0 }],
    ['0.250s', { seconds: '0', nanos: 250_000_000 }],
    ['1.000000001s', { seconds: '1', nanos: 1 }],
    ['-1.5s', { seconds: '-1', nanos: -500_000_000 }],
    ['-0.5s', { seconds: '0', nanos: -500_000_000 }],
    ['1.s', { seconds: '1', nanos: 0 }],
    ['-315576000000s', { seconds: '-315576000000', nanos: 0 }],
  ])('parses %j', (text, parsed) => {
    expect(parseDuration(text)).toEqual(parsed);
  });

  it.each(['1', '1.5', ' 1s', '1.0000000001s', '1e3s', '+1s', '315576000001s', ''])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid google\.protobuf\.Duration/);
  });

  it('prints 0, 3, 6 or 9 fractional digits', () => {
    expect(formatDuration({ seconds: 1n, nanos: 0 })).toBe('1s');
    expect(formatDuration({ seconds: 1n, nanos: 100_000_000 })).toBe('1.100s');
    expect(formatDuration({ seconds: 1n, nanos: 100_000 })).toBe('1.000100s');
    expect(formatDuration({ seconds: 1n, nanos: 100 })).toBe('1.000000100s');
    expect(formatDuration({ seconds: -2n, nanos: -10_000_000 })).toBe('-2.010s');
  });

  it('names what makes a Duration invalid', () => {
    expect(durationProblem({ seconds: 1n, nanos: -1 })).toBe('seconds and nanos have different signs');
    expect(durationProblem({ seconds: 0n, nanos: 1_000_000_000 })).toBe('nanos 1000000000 is out of range');
    expect(durationProblem({ seconds: -1n, nanos: -999_999_999 })).toBeUndefined();
  });
});

describe('Timestamp text', () => {
  it.each([
    ['1970-01-01T00:00:00Z', { seconds: '0', nanos: 0 }],
    ['2024-01-01T01:00:00+01:00', { seconds: '1704067200', nanos: 0 }],
    ['2023-12-31T19:00:00.5-05:00', { seconds: '1704067200', nanos: 500_000_000 }],
    ['0001-01-01T00:00:00Z', { seconds: '-62135596800', nanos: 0 }],
    ['0099-06-01t00:00:00.000000001z', { seconds: '-59029948800', nanos: 1 }],
    ['2024-02-29T12:00:00Z', { seconds: '1709208000', nanos: 0 }],
  ])('parses %j', (text, parsed) => {
    expect(parseTimestamp(text)).toEqual(parsed);
  });

  it.each(['2023-02-29T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:60:00Z', '2024-01-01 00:00:00Z', '2024-01-01T00:00:00', '2024-01-01T00:00:00.1234567890Z'])(
    'rejects %j',
    (text) => {
      expect(() => parseTimestamp(text)).toThrow(/invalid google\.protobuf\.Timestamp/);
    },
  );

  it('prints UTC with Z and trimmed fractions, round-tripping parseTimestamp', () => {
    for (const text of ['1970-01-01T00:00:00Z', '2024-02-29T12:00:00.120Z', '0099-06-01T00:00:00.000000001Z', '9999-12-31T23:59:59.999999Z']) {
      const parsed = parseTimestamp(text);
      expect(formatTimestamp({ seconds: BigInt(parsed.seconds), nanos: parsed.nanos })).toBe(text);
    }
  });

  it('rejects negative nanos, which Timestamp does not allow', () => {
    expect(() => formatTimestamp({ seconds: 0n, nanos: -1 })).toThrow(/nanos -1 is out of range/);
  });
});
