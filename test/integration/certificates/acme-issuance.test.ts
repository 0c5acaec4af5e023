import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DnsChallengeSolver } from '../../../src/certificates/acme/dns-challenge-solver.js';
import { generateAccountKey } from '../../../src/certificates/acme/generate-key.js';
import { issueCertificate, type AcmeIssueRequest } from '../../../src/certificates/acme/issue-certificate.js';
import { AcmeOrderFailedError } from '../../../src/certificates/errors/acme-order-failed-error.js';
import type { CertificateRejectedError } from '../../../src/certificates/errors/certificate-rejected-error.js';
import { validateCertificate } from '../../../src/certificates/validation/validate-certificate.js';
import { ErrorCode } from '../../../src/errors/index.js';
import { LocalPebble } from '../../../src/local/acme/local-pebble.js';
import { TestCa } from '../../../src/local/acme/test-ca.js';

/** Wraps the real solver and reads each record back from the DNS server pebble queries. */
class ObservedSolver implements DnsChallengeSolver {
  readonly seen: { name: string; values: string[][] }[] = [];
  constructor(
    private readonly inner: DnsChallengeSolver,
    private readonly resolver: Resolver,
    private readonly tamper: (value: string) => string = (v) => v,
  ) {}
  async setTxt(name: string, value: string): Promise<void> {
    await this.inner.setTxt(name, this.tamper(value));
    this.seen.push({ name, values: await this.resolver.resolveTxt(name) });
  }
  clearTxt(name: string): Promise<void> {
    return this.inner.clearTxt(name);
  }
}

describe('ACME issuance through a real pebble (DNS-01 really checked)', () => {
  let pebble: LocalPebble;
  let resolver: Resolver;
  let base: Omit<AcmeIssueRequest, 'certificate' | 'domains' | 'keyType' | 'solver'>;
  beforeAll(async () => {
    pebble = await LocalPebble.start();
    resolver = new Resolver({ timeout: 2_000, tries: 2 });
    resolver.setServers([pebble.dnsServer]);
    base = {
      directoryUrl: pebble.directoryUrl,
      accountKeyPem: await generateAccountKey(),
      email: 'certificates@example.test',
      directoryCaPem: pebble.directoryCaPem,
      polling: { attempts: 20, minMs: 200, maxMs: 2_000 },
    };
  });
  afterAll(async () => {
    await pebble?.stop();
  });

  it('issues an ECDSA certificate for two names that validates against pebble’s root and intermediate', async () => {
    const solver = new ObservedSolver(pebble.dnsSolver(), resolver);
    const domains = ['www.shop.example.test', 'shop.example.test'];
    const issued = await issueCertificate({
      ...base,
      certificate: 'shop',
      domains,
      keyType: 'ecdsa-p256',
      solver: { type: 'dns-01', dns: solver },
    });

    // Each authorization's TXT record was really served by the DNS server pebble checks, then removed.
    expect(solver.seen.map((s) => s.name).sort()).toEqual(domains.map((d) => `_acme-challenge.${d}`).sort());
    for (const { values } of solver.seen) expect(values.flat()).toHaveLength(1);
    for (const { name } of solver.seen) await expect(resolver.resolveTxt(name)).rejects.toThrow();

    const [root, intermediate] = await Promise.all([pebble.issuerRoots(), pebble.issuerIntermediates()]);
    const valid = validateCertificate('shop', issued, { domains, keyType: 'ecdsa-p256', trustStore: [root] });
    expect(new Set(valid.dnsNames)).toEqual(new Set(domains));
    expect(valid.keyType).toBe('ecdsa-p256');
    expect(valid.issuer).toContain('Pebble Intermediate CA');
    expect(valid.chainPem.replace(/\s/g, '')).toBe(intermediate.replace(/\s/g, ''));
    expect(issued.accountUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+\//);

    // The same certificate is not trusted by a trust store without pebble's root.
    const err = (() => {
      try {
        validateCertificate('shop', issued, { domains, trustStore: [TestCa.root('Not Pebble').certPem] });
      } catch (e) {
        return e;
      }
    })();
    expect((err as CertificateRejectedError).rules).toEqual(['chain-incomplete']);
  });

  it('issues an RSA 2048 certificate', async () => {
    const domains = ['api.example.test'];
    const issued = await issueCertificate({
      ...base,
      certificate: 'api',
      domains,
      keyType: 'rsa-2048',
      solver: { type: 'dns-01', dns: pebble.dnsSolver() },
    });
    const valid = validateCertificate('api', issued, {
      domains,
      keyType: 'rsa-2048',
      trustStore: [await pebble.issuerRoots()],
    });
    expect(valid.dnsNames).toEqual(domains);
  });

  it('fails with a clear error naming the domain when the TXT record is wrong, and removes the record', async () => {
    const solver = new ObservedSolver(pebble.dnsSolver(), resolver, (v) => `${v}-wrong`);
    const err = await issueCertificate({
      ...base,
      certificate: 'broken',
      domains: ['broken.example.test'],
      keyType: 'ecdsa-p256',
      solver: { type: 'dns-01', dns: solver },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AcmeOrderFailedError);
    const failure = err as AcmeOrderFailedError;
    expect(failure.code).toBe(ErrorCode.AcmeOrderFailed);
    expect(failure.stage).toBe('challenge');
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain('Certificate "broken": ACME challenge for broken.example.test failed');
    // Pebble's own reason (it found a TXT record, but not the expected one) and where it looked.
    expect(failure.message).toContain('Correct value not found for DNS challenge');
    expect(failure.message).toContain('_acme-challenge.broken.example.test');
    await expect(resolver.resolveTxt('_acme-challenge.broken.example.test')).rejects.toThrow();
  });

  it('fails when no record is published at all (nothing was made valid for free)', async () => {
    const silent: DnsChallengeSolver = { setTxt: async () => {}, clearTxt: async () => {} };
    const err = await issueCertificate({
      ...base,
      certificate: 'silent',
      domains: ['silent.example.test'],
      keyType: 'ecdsa-p256',
      solver: { type: 'dns-01', dns: silent },
    }).catch((e: unknown) => e);
    expect((err as AcmeOrderFailedError).stage).toBe('challenge');
  });

  it('issues through HTTP-01, the token really fetched by pebble; a wrong token fails naming the URL', async () => {
    const domains = ['static.example.test'];
    const issued = await issueCertificate({
      ...base,
      certificate: 'static',
      domains,
      keyType: 'ecdsa-p384',
      solver: { type: 'http-01', http: pebble.httpSolver() },
    });
    const valid = validateCertificate('static', issued, {
      domains,
      keyType: 'ecdsa-p384',
      trustStore: [await pebble.issuerRoots()],
    });
    expect(valid.dnsNames).toEqual(domains);

    const real = pebble.httpSolver();
    const err = await issueCertificate({
      ...base,
      certificate: 'static',
      domains: ['wrong-token.example.test'],
      keyType: 'ecdsa-p256',
      solver: {
        type: 'http-01',
        http: {
          putToken: (domain, token, keyAuthorization) => real.putToken(domain, token, `${keyAuthorization}x`),
          removeToken: (domain, token) => real.removeToken(domain, token),
        },
      },
    }).catch((e: unknown) => e);
    expect((err as AcmeOrderFailedError).stage).toBe('challenge');
    expect((err as AcmeOrderFailedError).message).toContain(
      'http://wrong-token.example.test/.well-known/acme-challenge/',
    );
  });

  it('refuses a directory whose TLS certificate is not trusted (no blanket TLS bypass)', async () => {
    const err = await issueCertificate({
      ...base,
      directoryCaPem: undefined,
      certificate: 'tls',
      domains: ['tls.example.test'],
      keyType: 'ecdsa-p256',
      solver: { type: 'dns-01', dns: pebble.dnsSolver() },
    }).catch((e: unknown) => e);
    expect((err as AcmeOrderFailedError).stage).toBe('directory');
    expect((err as AcmeOrderFailedError).message).toContain("the directory's TLS certificate is not trusted");
    expect((err as AcmeOrderFailedError).retryable).toBe(false);
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('run aborted'));
    await expect(
      issueCertificate({
        ...base,
        certificate: 'aborted',
        domains: ['aborted.example.test'],
        keyType: 'ecdsa-p256',
        solver: { type: 'dns-01', dns: pebble.dnsSolver() },
        signal: controller.signal,
      }),
    ).rejects.toThrow('run aborted');
  });
});

describe('LocalPebble', () => {
  it('serves its directory over TLS only to clients trusting its own CA, and stop() ends both servers', async () => {
    const pebble = await LocalPebble.start();
    const ports = [pebble.directoryUrl, pebble.managementUrl, pebble.challengeApiUrl].map((u) =>
      Number(new URL(u).port),
    );
    expect(await pebble.issuerRoots()).toContain('-----BEGIN CERTIFICATE-----');
    await expect(fetch(pebble.directoryUrl)).rejects.toThrow(); // Node's roots do not trust it
    await pebble.stop();
    for (const port of ports) {
      const refused = await new Promise<boolean>((resolve) => {
        const socket = connect({ host: '127.0.0.1', port });
        socket.once('connect', () => {
          socket.destroy();
          resolve(false);
        });
        socket.once('error', () => resolve(true));
      });
      expect(refused, `port ${port} still open`).toBe(true);
    }
  });
});
