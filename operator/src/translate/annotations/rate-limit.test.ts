import { describe, expect, it } from 'vitest';
import { readerOf } from '../../test-support/annotation-reader.js';
import { readRateLimit } from './rate-limit.js';

const P = 'nginx.ingress.kubernetes.io/';
function read(annotations: Record<string, string>) {
  const reader = readerOf(annotations);
  return { limit: readRateLimit(reader), problems: reader.problems };
}

describe('readRateLimit', () => {
  it('a bad burst multiplier or allow-list without any limit only warns: nothing is limited, so nothing opens', () => {
    const { limit, problems } = read({ 'limit-burst-multiplier': '99999999999', 'limit-whitelist': 'not-a-cidr' });
    expect(limit).toBeUndefined();
    expect(problems.map((p) => [p.annotation, p.severity, p.closes])).toEqual([
      [`${P}limit-burst-multiplier`, 'warning', undefined],
      [`${P}limit-whitelist`, 'warning', undefined],
    ]);
  });

  it('limit-rps with the default burst multiplier of 5', () => {
    expect(read({ 'limit-rps': '10' })).toEqual({ limit: { limits: [{ requests: 10, unit: 'second', burst: 50 }] }, problems: [] });
  });

  it('keeps both limits when rps and rpm are set, each with the multiplier', () => {
    expect(read({ 'limit-rps': '5', 'limit-rpm': '100', 'limit-burst-multiplier': '2' }).limit).toEqual({
      limits: [{ requests: 5, unit: 'second', burst: 10 }, { requests: 100, unit: 'minute', burst: 200 }],
    });
  });

  it('0 is no limit, as in ingress-nginx', () => {
    expect(read({ 'limit-rps': '0' })).toEqual({ limit: undefined, problems: [] });
  });

  it.each([['limit-rps', 'ten'], ['limit-rps', '-1'], ['limit-rpm', '1.5'], ['limit-rps', '99999999'], ['limit-burst-multiplier', '0'], ['limit-burst-multiplier', 'x']])('%s: %s closes the Ingress', (name, value) => {
    const { problems } = read({ 'limit-rps': '10', [name]: value });
    expect(problems).toEqual([expect.objectContaining({ annotation: P + name, severity: 'error', closes: true })]);
  });

  it('an allow-list is limited too, with a warning; a bad entry closes', () => {
    expect(read({ 'limit-rps': '1', 'limit-whitelist': '10.0.0.0/8, 192.168.1.1' }).problems).toEqual([
      { annotation: `${P}limit-whitelist`, severity: 'warning', message: expect.stringContaining('limited too') },
    ]);
    expect(read({ 'limit-rps': '1', 'limit-allowlist': '10.0.0.0/33' }).problems).toEqual([expect.objectContaining({ annotation: `${P}limit-allowlist`, closes: true })]);
  });

  it('the multiplier and allow-list alone only warn', () => {
    const { limit, problems } = read({ 'limit-burst-multiplier': '3', 'limit-allowlist': '10.0.0.0/8' });
    expect(limit).toBeUndefined();
    expect(problems.map((p) => [p.annotation, p.severity])).toEqual([[`${P}limit-burst-multiplier`, 'warning'], [`${P}limit-allowlist`, 'warning']]);
  });
});
