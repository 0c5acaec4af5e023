import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHostBlocks, type BlockContext } from '../../../src/hosts/blocks/index.js';
import { HostStepError } from '../../../src/hosts/errors/index.js';
import { LocalShellExecutor } from '../../support/local-shell-executor.js';

const ctx: BlockContext = { signal: new AbortController().signal };
const blocks = createHostBlocks({ executor: new LocalShellExecutor() });

describe('health probes with thresholds against real TCP, HTTP and TLS servers', () => {
  let dir: string;
  let cert: string;
  let tls: TlsServer;
  let tlsPort: number;
  let http: Server;
  let httpPort: number;
  /** What the HTTP server answers, request by request (then 200 for ever). */
  let script: number[] = [];
  let requests = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'marshal-probes-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '10',
        '-subj',
        '/CN=app.test',
        '-addext',
        'subjectAltName=DNS:app.test',
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    tls = createTlsServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (socket) => socket.end());
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    tlsPort = (tls.address() as AddressInfo).port;
    http = createHttpServer((_req, res) => {
      const status = script[requests++] ?? 200;
      res.writeHead(status).end(status === 200 ? 'all good' : 'starting');
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    httpPort = (http.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => tls?.close(r));
    await new Promise((r) => http?.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('TLS: passes only with the right CA and name, and fails a certificate that expires too soon', async () => {
    const spec = { kind: 'tls' as const, host: '127.0.0.1', port: tlsPort, servername: 'app.test', ca: cert };
    expect(await blocks.probe(spec)).toEqual({
      ok: true,
      detail: 'verified certificate for app.test, 9 days left',
    });
    expect((await blocks.probe({ ...spec, servername: 'other.test' })).detail).toBe(
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
    expect((await blocks.probe({ ...spec, ca: undefined })).detail).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(await blocks.probe({ ...spec, minValidDays: 30 })).toEqual({
      ok: false,
      detail: 'certificate for app.test expires in 9 days',
    });
  });

  it('HTTP: counts only consecutive passes; a failure starts the count again', async () => {
    script = [503, 200, 200, 503, 200, 200, 200];
    requests = 0;
    const healthy = await blocks.waitFor(
      { kind: 'http', url: `http://127.0.0.1:${httpPort}/`, expectBody: 'good' },
      ctx,
      { successes: 3, intervalMs: 10, timeoutMs: 30_000 },
    );
    expect(healthy).toEqual({ probes: 7, last: 'HTTP 200' });
  });

  it('HTTP and TCP: a check that never passes fails at its timeout, saying what it saw last', async () => {
    script = Array.from({ length: 1000 }, () => 503);
    requests = 0;
    const err = await blocks
      .waitFor({ kind: 'http', url: `http://127.0.0.1:${httpPort}/` }, ctx, {
        intervalMs: 50,
        timeoutMs: 500,
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostStepError);
    expect((err as Error).message).toMatch(
      /HTTP http:\/\/127\.0\.0\.1:\d+\/ did not pass 1 time\(s\) in a row within 1 s \(\d+ probes, last: HTTP 503\)/,
    );
    const closed = await blocks.probe({ kind: 'tcp', host: '127.0.0.1', port: 1 });
    expect(closed).toEqual({ ok: false, detail: 'ECONNREFUSED' });
  });

  it("stops waiting at once when the run is aborted, with the run's reason", async () => {
    const controller = new AbortController();
    const waiting = blocks
      .waitFor(
        { kind: 'tcp', host: '127.0.0.1', port: 1 },
        { signal: controller.signal },
        { timeoutMs: 120_000 },
      )
      .catch((e: unknown) => e);
    controller.abort(new Error('operator aborted'));
    expect(((await waiting) as Error).message).toBe('operator aborted');
  });
});
