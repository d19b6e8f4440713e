import { describe, expect, it } from 'vitest';
import type { V1Secret } from '../../store/cluster-state.js';
import { SecretIndex } from './secret-index.js';

const NOW = Date.parse('2026-11-29T00:00:00Z');
const MATERIAL = 'hunter2-not-a-real-key';

const secret = (name: string, type: string, data: Record<string, string>): V1Secret => ({
  metadata: { namespace: 'shop', name },
  type,
  data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
});

describe('SecretIndex', () => {
  const index = new SecretIndex(
    [
      secret('opaque-tls', 'Opaque', { 'tls.crt': MATERIAL, 'tls.key': MATERIAL }),
      secret('nokey-tls', 'kubernetes.io/tls', { 'tls.crt': MATERIAL }),
    ],
    NOW,
  );

  // Not "does not exist" alone: in a cluster an Opaque Secret of that name may well exist, but the
  // API server never hands it over (the watch selects type kubernetes.io/tls).
  it('says a Secret it does not hold was not found as a kubernetes.io/tls Secret, naming both causes', () => {
    expect(index.certificate('shop/wrongkey-tls')).toEqual({
      ok: false,
      problem: 'was not found as a kubernetes.io/tls Secret with tls.crt and tls.key (it does not exist, or it has another type, such as Opaque: Portico watches no other Secrets)',
    });
  });

  it('says what is wrong with a Secret it holds (as from manifests), quoting none of its data', () => {
    const opaque = index.certificate('shop/opaque-tls');
    expect(opaque).toEqual({ ok: false, problem: 'has type "Opaque", not kubernetes.io/tls' });
    const noKey = index.certificate('shop/nokey-tls');
    expect(noKey).toEqual({ ok: false, problem: 'has no tls.key' });
    for (const check of [opaque, noKey, index.certificate('shop/wrongkey-tls')]) expect(JSON.stringify(check)).not.toContain(MATERIAL);
  });
});
