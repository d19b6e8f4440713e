import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createCa, issueServerCertificate } from '../../../xds-server/src/index.js';
import { certificateNames, serviceNames } from './server-names.js';

describe('the xDS server certificate names', () => {
  it('name the Service and loopback, IPs as IP SANs, so a bootstrap dialling 127.0.0.1 verifies', async () => {
    const names = certificateNames(serviceNames('portico', 'portico-system'));
    expect(names).toEqual({
      dnsNames: ['portico.portico-system.svc', 'portico.portico-system.svc.cluster.local', 'portico.portico-system', 'portico', 'localhost'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
    const ca = await createCa('server-names test');
    const server = new X509Certificate((await issueServerCertificate(ca, names)).cert);
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.checkHost('portico.portico-system.svc')).toBe('portico.portico-system.svc');
    expect(server.checkIP('10.0.0.1')).toBeUndefined();
  });
});
