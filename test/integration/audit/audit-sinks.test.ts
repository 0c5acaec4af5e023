import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuditEntryInput, AuditSink } from '../../../src/audit/index.js';
import {
  AuditSinkConfig,
  AuditSinkError,
  createAuditSink,
  FileAuditSink,
  HttpAuditSink,
  TeeAuditSink,
} from '../../../src/audit/sinks/index.js';

const entry = (n: number, data: Record<string, unknown> = {}): AuditEntryInput => ({
  runId: 'r-1',
  at: new Date(Date.UTC(2026, 10, 27, 10, 0, n)).toISOString(),
  kind: 'host.changed',
  actor: 'marshal',
  target: `web-${n}`,
  data,
});

/** A collector on 127.0.0.1 answering with the statuses given, in order (then 200), keeping what it took. */
async function collector(statuses: number[] = []) {
  const kept: { body: unknown; authorization: string | undefined }[] = [];
  let calls = 0;
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = statuses[calls++] ?? 200;
      if (status === 200)
        kept.push({
          body: JSON.parse(Buffer.concat(chunks).toString()),
          authorization: req.headers.authorization,
        });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/audit`;
  return { url, kept, calls: () => calls, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('audit sinks outside Redis', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()!();
  });
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'marshal-audit-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };

  it('the file sink keeps every record, in call order, one JSON line each, readable only by its owner', async () => {
    const path = join(await tempDir(), 'nested', 'audit.jsonl');
    const sink = new FileAuditSink(path);
    cleanups.push(() => sink.close());
    await Promise.all(Array.from({ length: 50 }, (_, i) => sink.append(entry(i))));

    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(50);
    expect(lines.map((l) => (JSON.parse(l) as { target: string }).target)).toEqual(
      Array.from({ length: 50 }, (_, i) => `web-${i}`),
    );
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    // A reopened sink appends; it never truncates what is there.
    const again = new FileAuditSink(path);
    await again.append(entry(99));
    await again.close();
    expect(await again.entries()).toHaveLength(51);
  });

  it('scrubs secrets from a record before any sink stores it', async () => {
    const path = join(await tempDir(), 'audit.jsonl');
    const sink = new FileAuditSink(path);
    cleanups.push(() => sink.close());
    await sink.append(entry(1, { note: 'token xoxb-1234567890-abcdefghij used' }));
    expect(await readFile(path, 'utf8')).not.toContain('xoxb-1234567890-abcdefghij');
  });

  it('the file sink names its path when it cannot write, and keeps working for later records', async () => {
    const dir = await tempDir();
    const sink = new FileAuditSink(dir); // a directory: open() for append fails
    const failure = await sink.append(entry(1)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AuditSinkError);
    expect((failure as Error).message).toContain(dir);
  });

  it('the HTTP sink posts each record with its bearer token and retries a 503 until it is kept', async () => {
    const c = await collector([503, 503]);
    cleanups.push(c.close);
    const sink = new HttpAuditSink({ url: c.url, token: 's3cret-token', backoffMs: () => 10 });
    await sink.append(entry(7));
    expect(c.calls()).toBe(3);
    expect(c.kept).toEqual([
      {
        body: expect.objectContaining({ runId: 'r-1', target: 'web-7' }),
        authorization: 'Bearer s3cret-token',
      },
    ]);
  });

  it('the HTTP sink fails at once on a 4xx, naming the URL and status but never the token', async () => {
    const c = await collector([403]);
    cleanups.push(c.close);
    const sink = new HttpAuditSink({ url: c.url, token: 's3cret-token', backoffMs: () => 10 });
    const failure = (await sink.append(entry(1)).catch((e: unknown) => e)) as AuditSinkError;
    expect(failure).toBeInstanceOf(AuditSinkError);
    expect(c.calls()).toBe(1);
    expect(failure.message).toContain(c.url);
    expect(failure.message).toContain('403');
    expect(JSON.stringify(failure.toJSON())).not.toContain('s3cret-token');
  });

  it('the HTTP sink gives up after its retries when nothing answers', async () => {
    const c = await collector();
    await c.close(); // the port is now closed: connection refused
    const sink = new HttpAuditSink({ url: c.url, retries: 2, backoffMs: () => 5 });
    await expect(sink.append(entry(1))).rejects.toThrow(/ECONNREFUSED \(after 3 tries\)/);
  });

  it('a tee writes to every sink even when one fails, then reports the failure', async () => {
    const path = join(await tempDir(), 'audit.jsonl');
    const file = new FileAuditSink(path);
    cleanups.push(() => file.close());
    const broken: AuditSink = { append: () => Promise.reject(new Error('primary down')) };
    await expect(new TeeAuditSink([broken, file]).append(entry(3))).rejects.toThrow('primary down');
    expect(await file.entries()).toEqual([expect.objectContaining({ target: 'web-3' })]);
  });

  it('config: sinks are validated with the field and the rule named; a named token must be set', () => {
    const relative = AuditSinkConfig.safeParse({ type: 'file', path: 'audit.jsonl' });
    expect(relative.success).toBe(false);
    expect(relative.error?.issues[0]).toMatchObject({
      path: ['path'],
      message: expect.stringMatching(/absolute/),
    });
    const withPassword = AuditSinkConfig.safeParse({ type: 'http', url: 'https://u:p@audit.example.org/' });
    expect(withPassword.error?.issues[0]?.message).toMatch(/tokenEnv/);
    const unknownField = AuditSinkConfig.safeParse({ type: 'file', path: '/x', mode: 600 });
    expect(unknownField.success).toBe(false);

    const http = AuditSinkConfig.parse({
      type: 'http',
      url: 'https://audit.example.org/',
      tokenEnv: 'AUDIT_TOKEN',
    });
    expect(() => createAuditSink(http, {})).toThrow(
      /audit\.sinks\[0\]\.tokenEnv: names AUDIT_TOKEN, which is not set/,
    );
    expect(createAuditSink(http, { AUDIT_TOKEN: 't' })).toBeInstanceOf(HttpAuditSink);
  });
});
