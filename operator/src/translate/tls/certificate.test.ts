import { X509Certificate } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueServerCertificate } from '../../../../xds-server/src/tls/certificates.js';
import type { KeyPair } from '../../../../xds-server/src/tls/certificates.js';
import type { V1Secret } from '../../store/cluster-state.js';
import { certificateCovers, checkTlsSecret } from './certificate.js';

const NOW = Date.parse('2026-11-29T00:00:00Z');
const DAY = 86_400_000;
let ca: KeyPair;
let leaf: KeyPair;

beforeAll(async () => {
  ca = await createCa('certificate.test CA', 3650 * DAY, NOW - 10 * DAY);
  leaf = await issueServerCertificate(ca, { dnsNames: ['a.example.com'], lifetimeMs: 30 * DAY, now: NOW });
});

const secret = (fields: Record<string, string>, type = 'kubernetes.io/tls', encode = true): V1Secret => ({
  metadata: { namespace: 'ns', name: 's' },
  type,
  ...(encode ? { data: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, Buffer.from(v).toString('base64')])) } : { stringData: fields }),
});

describe('checkTlsSecret', () => {
  it('accepts a matching key and chain, from data or stringData, and reads the names and the end', () => {
    for (const encode of [true, false]) {
      const check = checkTlsSecret(secret({ 'tls.crt': leaf.cert + ca.cert, 'tls.key': leaf.key }, 'kubernetes.io/tls', encode), NOW);
      expect(check).toMatchObject({ ok: true, certificate: { dnsNames: ['a.example.com'] } });
      if (check.ok) expect(check.certificate.certificateChain.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    }
  });

  it('judges validity at the instant given, for every certificate of the chain', () => {
    const good = secret({ 'tls.crt': leaf.cert + ca.cert, 'tls.key': leaf.key });
    expect(checkTlsSecret(good, NOW - 2 * 3600_000)).toMatchObject({ ok: false, problem: expect.stringMatching(/^is not valid yet: the certificate in tls.crt starts at/) });
    expect(checkTlsSecret(good, NOW + 31 * DAY)).toMatchObject({ ok: false, problem: expect.stringMatching(/^has expired: the certificate in tls.crt ended at/) });
  });

  it('keeps the names of a certificate refused only for its validity period, and of no other refused one', async () => {
    const good = secret({ 'tls.crt': leaf.cert + ca.cert, 'tls.key': leaf.key });
    expect(checkTlsSecret(good, NOW - 2 * 3600_000)).toMatchObject({ ok: false, dnsNames: ['a.example.com'] });
    expect(checkTlsSecret(good, NOW + 31 * DAY)).toMatchObject({ ok: false, dnsNames: ['a.example.com'] });
    const expired = await createCa('expired intermediate', 5 * DAY, NOW - 10 * DAY);
    expect(checkTlsSecret(secret({ 'tls.crt': leaf.cert + expired.cert, 'tls.key': leaf.key }), NOW)).toMatchObject({ ok: false, dnsNames: ['a.example.com'] });
    // A key that is not the certificate's: which of the two was meant is unknown, so no names.
    const other = await issueServerCertificate(ca, { dnsNames: ['b.example.com'], now: NOW });
    expect(checkTlsSecret(secret({ 'tls.crt': leaf.cert, 'tls.key': other.key }), NOW + 31 * DAY)).not.toHaveProperty('dnsNames');
    expect(checkTlsSecret(secret({ 'tls.crt': 'garbage', 'tls.key': leaf.key }), NOW)).not.toHaveProperty('dnsNames');
  });

  it('tolerates a few minutes of clock skew at the start, so a certificate issued just now elsewhere is served', () => {
    const good = secret({ 'tls.crt': leaf.cert, 'tls.key': leaf.key });
    const start = Date.parse(new X509Certificate(leaf.cert).validFrom);
    expect(checkTlsSecret(good, start - 60_000)).toMatchObject({ ok: true });
    expect(checkTlsSecret(good, start - 10 * 60_000)).toMatchObject({ ok: false, problem: expect.stringMatching(/not valid yet/) });
  });

  it('refuses a chain whose intermediate has expired, though the leaf is valid', async () => {
    const expired = await createCa('expired intermediate', 5 * DAY, NOW - 10 * DAY);
    expect(checkTlsSecret(secret({ 'tls.crt': leaf.cert + expired.cert, 'tls.key': leaf.key }), NOW)).toMatchObject({ ok: false, problem: expect.stringMatching(/^has expired: certificate 2 of the chain in tls.crt ended at/) });
  });

  it.each([
    [{ 'tls.crt': 'garbage', 'tls.key': 'garbage' }, 'has no PEM certificate in tls.crt'],
    [{ 'tls.crt': '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', 'tls.key': 'x' }, 'has a certificate in tls.crt that does not parse'],
    [{ 'tls.key': 'x' }, 'has no tls.crt'],
    [{ 'tls.crt': 'x' }, 'has no tls.key'],
  ])('refuses %j: %s, quoting none of it', (fields, problem) => {
    expect(checkTlsSecret(secret(fields), NOW)).toEqual({ ok: false, problem });
  });

  it('refuses a key that is not a key, or not the certificate\'s, without printing it', async () => {
    const other = await issueServerCertificate(ca, { dnsNames: ['b.example.com'], now: NOW });
    expect(checkTlsSecret(secret({ 'tls.crt': leaf.cert, 'tls.key': 'not a key' }), NOW)).toEqual({ ok: false, problem: 'has a tls.key that is not a PEM private key' });
    const mismatch = checkTlsSecret(secret({ 'tls.crt': leaf.cert, 'tls.key': other.key }), NOW);
    expect(mismatch).toEqual({ ok: false, problem: 'has a tls.key that does not match the certificate in tls.crt' });
  });

  it('refuses other Secret types', () => {
    expect(checkTlsSecret(secret({ 'tls.crt': leaf.cert, 'tls.key': leaf.key }, 'Opaque'), NOW)).toEqual({ ok: false, problem: 'has type "Opaque", not kubernetes.io/tls' });
  });
});

describe('certificateCovers', () => {
  it.each([
    [['a.example.com'], 'a.example.com', true],
    [['*.example.com'], 'a.example.com', true],
    [['*.example.com'], 'a.b.example.com', false],
    [['*.example.com'], 'example.com', false],
    [['*.example.com'], '*.example.com', true],
    [['a.example.com'], '*.example.com', false],
    [[], 'a.example.com', false],
  ])('%j covers %s: %s', (names, host, covered) => {
    expect(certificateCovers(names, host)).toBe(covered);
  });
});
