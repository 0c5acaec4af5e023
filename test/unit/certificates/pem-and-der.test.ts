import { X509Certificate } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readDerFields } from '../../../src/certificates/validation/der-fields.js';
import { pemBodies, splitPemCertificates } from '../../../src/certificates/validation/pem.js';
import { TestCa } from '../../../src/local/acme/test-ca.js';

const root = TestCa.root('PEM Test Root');

describe('splitPemCertificates', () => {
  it('property: finds every block in order, whatever text, line endings and wrapping surround it', () => {
    const body = fc.base64String({ minLength: 4, maxLength: 300 }).filter((b) => b.length > 0);
    const noise = fc.string().map((s) => s.replace(/-/g, ''));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(noise, body), { maxLength: 5 }),
        fc.boolean(),
        fc.integer({ min: 16, max: 76 }),
        (parts, crlf, width) => {
          const eol = crlf ? '\r\n' : '\n';
          const text = parts
            .map(
              ([before, b]) =>
                `${before}${eol}-----BEGIN CERTIFICATE-----${eol}${b.match(new RegExp(`.{1,${width}}`, 'g'))!.join(eol)}${eol}-----END CERTIFICATE-----${eol}`,
            )
            .join('');
          const blocks = splitPemCertificates(text);
          expect(blocks.map((block) => pemBodies(block)[0])).toEqual(parts.map(([, b]) => b));
        },
      ),
    );
  });

  it('ignores keys and other PEM types', () => {
    const leaf = root.issue({ commonName: 'a.example.test', dnsNames: ['a.example.test'] });
    expect(splitPemCertificates(leaf.keyPem + leaf.certPem)).toHaveLength(1);
  });
});

describe('readDerFields', () => {
  it('property: reads the same SANs Node reads, and the signature algorithm, for RSA and EC leaves', () => {
    const label = fc.stringMatching(/^[a-z0-9]{1,12}$/);
    const octet = fc.integer({ min: 0, max: 255 });
    fc.assert(
      fc.property(
        fc.uniqueArray(label, { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(octet, octet, octet, octet), { maxLength: 2 }),
        fc.boolean(),
        (labels, ips, sha1) => {
          const dnsNames = labels.map((l) => `${l}.example.test`);
          const ipAddresses = ips.map((ip) => ip.join('.'));
          const leaf = root.issue({
            commonName: 'x',
            dnsNames,
            ipAddresses,
            digest: sha1 ? 'sha1' : 'sha256',
            keyBits: 1024,
          });
          const cert = new X509Certificate(leaf.certPem);
          const fields = readDerFields(cert.raw);
          expect(fields.dnsNames).toEqual(dnsNames);
          expect(fields.ipAddresses).toEqual(ipAddresses);
          expect(fields.signatureAlgorithmOid).toBe(sha1 ? '1.2.840.113549.1.1.5' : '1.2.840.113549.1.1.11');
          const nodeView = (cert.subjectAltName ?? '').split(', ').filter(Boolean);
          expect(nodeView).toEqual([
            ...dnsNames.map((d) => `DNS:${d}`),
            ...ipAddresses.map((ip) => `IP Address:${ip}`),
          ]);
        },
      ),
      { numRuns: 25 },
    );
    const ec = root.issueEcdsa({ commonName: 'ec', dnsNames: ['ec.example.test'], curve: 'P-384' });
    const fields = readDerFields(new X509Certificate(ec.certPem).raw);
    expect(fields).toEqual({
      signatureAlgorithmOid: '1.2.840.113549.1.1.11',
      dnsNames: ['ec.example.test'],
      ipAddresses: [],
    });
  });
});
