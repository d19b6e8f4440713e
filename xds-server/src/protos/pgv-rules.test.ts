import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { messageType } from './envoy-protos.js';
import { fieldRules, list, messageValidationOff, oneofRequired } from './pgv-rules.js';
import { rangeViolation } from './pgv-scalars.js';
import { re2, wellKnownRegex } from './pgv-string-formats.js';
import { PKG, syntheticProtos } from './test-support/synthetic-protos.js';

function field(typeName: string, fieldName: string): protobuf.Field {
  const found = messageType(typeName).fields[fieldName];
  if (!found) throw new Error(`${typeName} has no field ${fieldName}`);
  return found;
}

describe('fieldRules on the loaded Envoy protos', () => {
  it('reads nested repeated/items rules', () => {
    expect(fieldRules(field('envoy.config.route.v3.VirtualHost', 'domains'))).toEqual({
      repeated: { min_items: 1, items: { string: { well_known_regex: 'HTTP_HEADER_VALUE', strict: false } } },
    });
  });

  it('merges rules given as separate (validate.rules).x.y options', () => {
    expect(fieldRules(field('envoy.config.core.v3.Http2ProtocolOptions.SettingsParameter', 'identifier'))).toEqual({
      uint32: { gte: 0, lte: 65535 },
      message: { required: true },
    });
  });

  it('returns undefined for a field without rules', () => {
    expect(fieldRules(field('envoy.config.route.v3.RouteMatch', 'prefix'))).toBeUndefined();
  });

  it('wraps a repeated rule value given once into a list', () => {
    const method = fieldRules(field('envoy.config.core.v3.HealthCheck.HttpHealthCheck', 'method'));
    expect(method?.enum).toEqual({ defined_only: true, not_in: 6 });
    expect(list(method?.enum as Record<string, unknown>, 'not_in')).toEqual([6]);
  });

  it('reads (validate.required) on oneofs', () => {
    const routeMatch = messageType('envoy.config.route.v3.RouteMatch');
    expect(oneofRequired(routeMatch.oneofs.path_specifier as protobuf.OneOf)).toBe(true);
    const cluster = messageType('envoy.config.cluster.v3.Cluster');
    expect(oneofRequired(cluster.oneofs.cluster_discovery_type as protobuf.OneOf)).toBe(false);
  });
});

describe('fieldRules on hand-built fields', () => {
  it('merges several parsedOptions entries, including flattened option names', () => {
    const built = new protobuf.Field('x', 1, 'string');
    built.parsedOptions = [
      { '(validate.rules)': { string: { min_len: 1 } } },
      { '(validate.rules).string.max_len': 5 },
      { '(validate.rules)': { message: { required: true } } },
      { '(other.option)': true },
    ] as unknown as typeof built.parsedOptions;
    expect(fieldRules(built)).toEqual({ string: { min_len: 1, max_len: 5 }, message: { required: true } });
  });

  it('ignores malformed option entries', () => {
    const built = new protobuf.Field('y', 1, 'string');
    built.parsedOptions = [null, 'x', { '(validate.rules)': 3 }] as unknown as typeof built.parsedOptions;
    expect(fieldRules(built)).toBeUndefined();
  });
});

describe('message options', () => {
  it('reads validate.disabled and validate.ignored', () => {
    const root = syntheticProtos();
    expect(messageValidationOff(root.lookupType(`${PKG}.Off`))).toBe(true);
    expect(messageValidationOff(root.lookupType(`${PKG}.Ignored`))).toBe(true);
    expect(messageValidationOff(root.lookupType(`${PKG}.Leaf`))).toBe(false);
  });
});

describe('rangeViolation', () => {
  const show = String;
  it.each([
    [{ gt: 0, lt: 10 }, [1, 9], [0, 10]],
    [{ gt: 10, lt: 0 }, [-1, 11], [0, 5, 10]],
    [{ gte: 0, lt: 10 }, [0, 9], [-1, 10]],
    [{ gte: 10, lt: 0 }, [-1, 10], [0, 9]],
    [{ gt: 0, lte: 10 }, [1, 10], [0, 11]],
    [{ gt: 10, lte: 0 }, [0, 11], [1, 10]],
    [{ gte: 0, lte: 10 }, [0, 10], [-1, 11]],
    [{ gte: 10, lte: 0 }, [0, 10, -5], [1, 9]],
    // Equal bounds are not "lt > gt", so PGV reads them as the exclusive form.
    [{ gt: 5, lt: 5 }, [4, 6], [5]],
    [{ gte: 5, lte: 5 }, [0, 5, 10], []],
    [{ lt: 5 }, [4], [5]],
    [{ lte: 5 }, [5], [6]],
    [{ gt: 5 }, [6], [5]],
    [{ gte: 5 }, [5], [4]],
  ])('%j accepts %j and rejects %j', (bounds, accepted, rejected) => {
    for (const value of accepted) expect(rangeViolation(value, bounds, show), `accept ${value}`).toBeUndefined();
    for (const value of rejected) expect(rangeViolation(value, bounds, show), `reject ${value}`).toBeTypeOf('string');
  });

  it('compares bigints beyond 2^53 exactly', () => {
    expect(rangeViolation(9007199254740993n, { lte: 9007199254740992n }, show)).toBe('value must be less than or equal to 9007199254740992');
  });
});

describe('RE2 patterns', () => {
  it('compiles each pattern once', () => {
    expect(re2('^a+$')).toBe(re2('^a+$'));
  });

  it('uses RE2 syntax and unanchored matching, as PGV does', () => {
    expect(re2('\\pL').test('1a1')).toBe(true);
    expect(() => re2('(?=lookahead)')).toThrow();
  });

  it('maps well_known_regex names and numbers, strict by default', () => {
    expect(wellKnownRegex('HTTP_HEADER_NAME', true)?.pattern).toBe(wellKnownRegex(1, true)?.pattern);
    expect(wellKnownRegex(2, false)?.pattern).toBe(wellKnownRegex('HTTP_HEADER_NAME', false)?.pattern);
    expect(wellKnownRegex('UNKNOWN', true)).toBeUndefined();
  });
});
