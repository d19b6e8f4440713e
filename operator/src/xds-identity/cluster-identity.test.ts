import { describe, expect, it } from 'vitest';
import { CA_SECRET, caSecretName, clientSecretName, fleetLabel } from './cluster-identity.js';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

describe('names of a fleet\'s client Secret', () => {
  it('labels any fleet with a valid label value: the name when it fits, a digest when it does not', () => {
    const long = `${'a'.repeat(62)}-${'b'.repeat(40)}`;
    expect(fleetLabel('nginx')).toBe('nginx');
    expect(fleetLabel(long)).toMatch(/^sha256-[0-9a-f]{32}$/);
    // Cutting at 63 would have ended the value on "-", which the API server refuses.
    expect(long.slice(0, 63).endsWith('-')).toBe(true);
    for (const fleet of ['nginx', long, 'a.b', `${'x'.repeat(63)}.y`]) expect(fleetLabel(fleet)).toMatch(LABEL_VALUE);
  });

  it('names the Secret after the fleet while that fits a Secret name', () => {
    expect(clientSecretName('nginx')).toBe('portico-xds-client-nginx');
    expect(clientSecretName('a'.repeat(240))).toBeUndefined();
    // A second install in the namespace (the chart: its release name) has Secrets of its own.
    expect(clientSecretName('nginx', 'portico2')).toBe('portico2-xds-client-nginx');
    expect(caSecretName('portico2')).toBe('portico2-xds-ca');
    expect(CA_SECRET).toBe('portico-xds-ca');
  });
});
