import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CertificateRejectedError } from '../../../src/certificates/errors/certificate-rejected-error.js';
import { validateCertificate } from '../../../src/certificates/validation/validate-certificate.js';
import { TestCa } from '../../../src/local/acme/test-ca.js';

// root → i1 → i2 → i3 → leaf: served order is i3, i2, i1 (each certificate followed by its issuer).
const root = TestCa.root('Chain Root');
const i1 = root.intermediate('Chain I1');
const i2 = i1.intermediate('Chain I2');
const i3 = i2.intermediate('Chain I3');
const leaf = i3.issue({ commonName: 'www.example.test', dnsNames: ['www.example.test'] });
const correct = [i3, i2, i1];

function rulesFor(chain: TestCa[]): string[] {
  try {
    validateCertificate(
      'www',
      { certificatePem: leaf.certPem, chainPem: chain.map((c) => c.certPem).join(''), keyPem: leaf.keyPem },
      { domains: ['www.example.test'], trustStore: [root.certPem] },
    );
    return [];
  } catch (err) {
    if (err instanceof CertificateRejectedError) return err.rules;
    throw err;
  }
}

describe('chain checks', () => {
  it('property: any arrangement of the intermediates is accepted only in serving order; a missing one is named incomplete', () => {
    fc.assert(
      fc.property(
        fc
          .subarray([0, 1, 2])
          .chain((kept) => fc.shuffledSubarray(kept, { minLength: kept.length, maxLength: kept.length })),
        fc.boolean(),
        (order, withRoot) => {
          const chain = [...order.map((i) => correct[i]!), ...(withRoot ? [root] : [])];
          const rules = rulesFor(chain);
          if (order.length < 3) expect(rules).toEqual(['chain-incomplete']);
          else if (order.join() === '0,1,2') expect(rules).toEqual([]);
          else expect(rules).toEqual(['chain-order']);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('says in which order to serve a complete chain given out of order', () => {
    let message = '';
    try {
      validateCertificate(
        'www',
        {
          certificatePem: leaf.certPem,
          chainPem: root.certPem + i1.certPem + i3.certPem + i2.certPem,
          keyPem: leaf.keyPem,
        },
        { domains: ['www.example.test'], trustStore: [root.certPem] },
      );
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('serve it as leaf, then "CN=Chain I3", then "CN=Chain I2", then "CN=Chain I1"');
  });
});
