import { X509Certificate } from 'node:crypto';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TlsProbeError } from '../../../src/certificates/errors/tls-probe-error.js';
import { probeServedCertificate } from '../../../src/certificates/probe/probe-served-certificate.js';
import { ErrorCode } from '../../../src/errors/index.js';
import { freePort } from '../../../src/local/free-port.js';
import { TestCa } from '../../../src/local/acme/test-ca.js';
import { rejectedBy } from '../../support/refusal.js';

const root = TestCa.root('Probe Test Root');
const intermediate = root.intermediate('Probe Test Intermediate');
const www = intermediate.issue({
  commonName: 'www.example.test',
  dnsNames: ['www.example.test', 'example.test'],
});
const api = intermediate.issue({ commonName: 'api.example.test', dnsNames: ['api.example.test'] });

const open = new Set<Socket>();

function listen(server: TlsServer | TcpServer): Promise<number> {
  server.on('connection', (s: Socket) => {
    open.add(s);
    s.once('close', () => open.delete(s));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

describe('probeServedCertificate against a real TLS server', () => {
  let tlsServer: TlsServer;
  let tlsPort: number;
  let silent: TcpServer;
  let silentPort: number;
  let garbage: TcpServer;
  let garbagePort: number;
  const held: Socket[] = [];

  beforeAll(async () => {
    const contexts = {
      'www.example.test': createSecureContext({ cert: www.certPem + intermediate.certPem, key: www.keyPem }),
      'api.example.test': createSecureContext({ cert: api.certPem + intermediate.certPem, key: api.keyPem }),
    };
    tlsServer = createTlsServer({
      cert: www.certPem + intermediate.certPem,
      key: www.keyPem,
      SNICallback: (name, cb) =>
        cb(null, contexts[name as keyof typeof contexts] ?? contexts['www.example.test']),
    });
    tlsServer.on('secureConnection', (s) => s.end());
    tlsPort = await listen(tlsServer);
    // Accepts and never answers: a service that hangs.
    silent = createTcpServer((s) => held.push(s));
    silentPort = await listen(silent);
    // Speaks something that is not TLS.
    garbage = createTcpServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    garbagePort = await listen(garbage);
  });
  afterAll(async () => {
    for (const s of [...held, ...open]) s.destroy();
    await Promise.all([tlsServer, silent, garbage].map((s) => new Promise((r) => s.close(r))));
  });

  it('reads the certificate served for the SNI name: fingerprint, serial, issuer, notAfter, SANs', async () => {
    const served = await probeServedCertificate({
      host: '127.0.0.1',
      port: tlsPort,
      servername: 'api.example.test',
    });
    const expected = new X509Certificate(api.certPem);
    expect(served.fingerprintSha256).toBe(expected.fingerprint256);
    expect(served.serial).toBe(expected.serialNumber.toUpperCase());
    expect(served.issuer).toBe('CN=Probe Test Intermediate');
    expect(served.notAfter).toBe(new Date(expected.validTo).toISOString());
    expect(served.dnsNames).toEqual(['api.example.test']);
    expect(served.hostnameMatches).toBe(true);
    expect(served.protocol).toMatch(/^TLSv1\.[23]$/);

    const other = await probeServedCertificate({
      host: '127.0.0.1',
      port: tlsPort,
      servername: 'www.example.test',
    });
    expect(other.fingerprintSha256).toBe(new X509Certificate(www.certPem).fingerprint256);
  });

  it('says when the served certificate does not cover the SNI name', async () => {
    const served = await probeServedCertificate({
      host: '127.0.0.1',
      port: tlsPort,
      servername: 'other.example.test',
    });
    expect(served.dnsNames).toEqual(['www.example.test', 'example.test']);
    expect(served.hostnameMatches).toBe(false);
  });

  it('judges the served chain against a trust store when given one', async () => {
    const endpoint = { host: '127.0.0.1', port: tlsPort, servername: 'www.example.test' };
    expect(await probeServedCertificate(endpoint, { trustStore: [root.certPem] })).toMatchObject({
      trusted: true,
    });
    const untrusted = await probeServedCertificate(endpoint, {
      trustStore: [TestCa.root('Elsewhere').certPem],
    });
    expect(untrusted.trusted).toBe(false);
    expect(untrusted.trustError).toMatch(/issuer|verify/i);
  });

  it('refused: nothing listens', async () => {
    const port = await freePort();
    const err = await rejectedBy(TlsProbeError, () =>
      probeServedCertificate({ host: '127.0.0.1', port, servername: 'www.example.test' }),
    );
    expect(err.failure).toBe('refused');
    expect(err.code).toBe(ErrorCode.TlsProbeFailed);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain(`127.0.0.1:${port} (SNI www.example.test)`);
    expect(err.message).toContain('nothing listens');
  });

  it('timeout: the server accepts but never completes a handshake', async () => {
    const err = await rejectedBy(TlsProbeError, () =>
      probeServedCertificate(
        { host: '127.0.0.1', port: silentPort, servername: 'www.example.test' },
        { timeoutMs: 300 },
      ),
    );
    expect(err.failure).toBe('timeout');
  });

  it('handshake: the port does not speak TLS', async () => {
    const err = await rejectedBy(TlsProbeError, () =>
      probeServedCertificate({ host: '127.0.0.1', port: garbagePort, servername: 'www.example.test' }),
    );
    expect(err.failure).toBe('handshake');
    expect(err.retryable).toBe(false);
  });

  it('stops when its signal is aborted, before or during the handshake', async () => {
    const endpoint = { host: '127.0.0.1', port: silentPort, servername: 'www.example.test' };
    const before = new AbortController();
    before.abort(new Error('run aborted'));
    await expect(probeServedCertificate(endpoint, { signal: before.signal })).rejects.toThrow('run aborted');

    const during = new AbortController();
    const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    const probe = probeServedCertificate(endpoint, { signal: during.signal, timeoutMs: 60_000 });
    await connected;
    during.abort(new Error('run aborted mid-handshake'));
    await expect(probe).rejects.toThrow('run aborted mid-handshake');
  });
});
