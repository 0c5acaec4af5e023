import { X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeServedCertificate } from '../../../src/certificates/probe/probe-served-certificate.js';
import { validateCertificate } from '../../../src/certificates/validation/validate-certificate.js';
import { TlsProbeError } from '../../../src/certificates/errors/tls-probe-error.js';
import { sh } from '../../../src/hosts/quote.js';
import type { SshExecutor } from '../../../src/hosts/ssh/index.js';
import { NGINX_COMMANDS, startNginx, stopNginx } from '../../../src/local/acme/fleet-nginx.js';
import { TestCa, type TestCertificate } from '../../../src/local/acme/test-ca.js';
import { SshFleet } from '../../../src/local/fleet/index.js';
import { executorFor } from '../hosts/fleet-executor.js';

const domains = ['www.example.test', 'example.test'];
const CERT = '/etc/ssl/marshal/www/fullchain.pem';
const KEY = '/etc/ssl/marshal/www/privkey.pem';
const PORT = 443;

describe('nginx on fleet hosts serves what was deployed; the probe reads it over real TLS', () => {
  const root = TestCa.root('Nginx Test Root');
  const intermediate = root.intermediate('Nginx Test Intermediate');
  let fleet: SshFleet;
  let ssh: SshExecutor;

  const deploy = async (hostIndex: number, leaf: TestCertificate): Promise<void> => {
    const host = fleet.hosts[hostIndex]!;
    await ssh.exec(host, sh`mkdir -p /etc/ssl/marshal/www`);
    await ssh.upload(host, { path: CERT, content: leaf.certPem + intermediate.certPem, mode: 0o644 });
    await ssh.upload(host, { path: KEY, content: leaf.keyPem, mode: 0o600 });
  };
  const probe = (hostIndex: number) =>
    probeServedCertificate(
      { host: fleet.hosts[hostIndex]!.address, port: PORT, servername: 'www.example.test' },
      { trustStore: [root.certPem] },
    );
  const fingerprint = (leaf: TestCertificate): string => new X509Certificate(leaf.certPem).fingerprint256;

  beforeAll(async () => {
    fleet = await SshFleet.start({ count: 2, name: 'nginx' });
    ssh = executorFor(fleet);
  });
  afterAll(async () => {
    await ssh?.close();
    await fleet?.stopAll();
  });

  it('each host serves its own certificate; a swapped pair is served after test and reload, the other host unchanged', async () => {
    const first = [0, 1].map(() => intermediate.issue({ commonName: 'www.example.test', dnsNames: domains }));
    for (const [i, leaf] of first.entries()) {
      await deploy(i, leaf);
      const host = fleet.hosts[i]!;
      await startNginx(ssh, host, {
        address: host.address,
        port: PORT,
        serverNames: domains,
        certificatePath: CERT,
        keyPath: KEY,
      });
    }
    for (const i of [0, 1]) {
      const served = await probe(i);
      expect(served.fingerprintSha256).toBe(fingerprint(first[i]!));
      expect(served.trusted).toBe(true);
      expect(served.hostnameMatches).toBe(true);
    }

    // The runbook's per-host step, by hand: validate, stage, config test, reload, check what is served.
    const renewed = intermediate.issue({ commonName: 'www.example.test', dnsNames: domains });
    const valid = validateCertificate(
      'www',
      { certificatePem: renewed.certPem, chainPem: intermediate.certPem, keyPem: renewed.keyPem },
      { domains, trustStore: [root.certPem] },
    );
    await deploy(0, renewed);
    const host = fleet.hosts[0]!;
    expect((await ssh.exec(host, sh`${NGINX_COMMANDS.test}`)).exitCode).toBe(0);
    expect((await ssh.exec(host, sh`${NGINX_COMMANDS.reload}`)).exitCode).toBe(0);
    // A reload hands over to new workers; the old ones finish first, so ask until the new one answers.
    let served = await probe(0);
    for (let attempt = 0; served.fingerprintSha256 !== valid.fingerprintSha256 && attempt < 50; attempt++) {
      await new Promise((r) => setTimeout(r, 100));
      served = await probe(0);
    }
    expect(served.fingerprintSha256).toBe(valid.fingerprintSha256);
    expect(served.serial).toBe(valid.serial);
    expect(served.notAfter).toBe(valid.notAfter);
    expect((await probe(1)).fingerprintSha256).toBe(fingerprint(first[1]!));
  });

  it("nginx's own config test catches a key that does not match before any reload", async () => {
    const host = fleet.hosts[1]!;
    const other = intermediate.issue({ commonName: 'www.example.test', dnsNames: domains });
    const before = (await probe(1)).fingerprintSha256;
    await ssh.upload(host, { path: KEY, content: other.keyPem, mode: 0o600 });
    const test = await ssh.exec(host, sh`${NGINX_COMMANDS.test}`);
    expect(test.exitCode).not.toBe(0);
    expect(test.stderr).toMatch(/key values mismatch|SSL_CTX_use_PrivateKey/);
    expect((await probe(1)).fingerprintSha256).toBe(before);
  });

  it('a host whose nginx is down is reported as refused', async () => {
    await stopNginx(ssh, fleet.hosts[1]!);
    const err = await probe(1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TlsProbeError);
    expect((err as TlsProbeError).failure).toBe('refused');
  });
});
