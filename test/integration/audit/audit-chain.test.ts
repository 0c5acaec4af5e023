import { parse as parseCsv } from 'csv-parse/sync';
import { Redis } from 'ioredis';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AuditRecord,
  type CSV_COLUMNS,
  GENESIS_HASH,
  hashText,
  recordText,
  RedisAuditLog,
  type HashedAuditRecord,
} from '../../../src/audit/index.js';
import { createLogger } from '../../../src/log/index.js';
import { marshalCli } from '../../support/marshal-cli.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

/**
 * The audit chain as an auditor meets it: records written through RedisAuditLog, then changed behind
 * Marshal's back with plain Redis commands, and `marshal audit verify|export` run as real processes.
 */
describe('hash-chained audit', { timeout: 180_000 }, () => {
  const redis = new Redis(testRedisUrl());
  afterAll(() => redis.quit());
  let prefix: string;
  let audit: RedisAuditLog;
  const cli = marshalCli(() => ({
    REDIS_URL: testRedisUrl(),
    MARSHAL_PREFIX: prefix,
    MARSHAL_CONFIG: '/dev/null',
  }));
  const records = () => `${prefix}:audit:records`;

  beforeEach(async () => {
    prefix = uniquePrefix('chain');
    audit = new RedisAuditLog(redis, prefix, createLogger({ level: 'silent' }));
    const at = (s: number) => `2026-11-27T0${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}:00.000Z`;
    await audit.append({
      runId: 'r-1',
      at: at(1),
      kind: 'run.started',
      actor: 'U0REQ',
      data: { workflow: 'config-push' },
    });
    await audit.append({
      runId: 'r-1',
      at: at(2),
      kind: 'gate.approved',
      actor: 'U0APP',
      data: { gateId: 'execution.approval' },
    });
    await audit.append({
      at: at(3),
      kind: 'ops.freeze',
      actor: 'U0SRE',
      data: { reason: 'incident, "db" down', until: at(63) },
    });
    await audit.append({
      runId: 'r-2',
      at: at(4),
      kind: 'host.changed',
      actor: 'marshal',
      target: 'web-01',
      link: 'https://x.slack.com/archives/C1/p1',
      data: {},
    });
    await audit.append({
      runId: 'r-1',
      at: at(5),
      kind: 'run.finished',
      actor: 'marshal',
      data: { state: 'succeeded' },
    });
  });

  async function verify(): Promise<{ code: number; out: string }> {
    try {
      const { stdout } = await cli(['audit', 'verify']);
      return { code: 0, out: stdout };
    } catch (err) {
      const e = err as { code: number; stdout: string };
      return { code: e.code, out: e.stdout };
    }
  }

  it('chains each record to the one before, atomically, even with concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        audit.append({
          runId: `r-${i % 3}`,
          at: new Date().toISOString(),
          kind: 'host.changed',
          actor: 'marshal',
        }),
      ),
    );
    const head = await audit.head();
    expect(head.seq).toBe(45);
    const all = await audit.range(1, head.seq);
    expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 45 }, (_, i) => i + 1));
    expect(all[0]!.prevHash).toBe(GENESIS_HASH);
    for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
    expect(head.hash).toBe(all.at(-1)!.hash);
    expect(await verify()).toEqual({
      code: 0,
      out: expect.stringContaining('audit chain intact: 45 records'),
    });
  });

  it('keeps one chain when writers in two processes append at once, each building on the head it last wrote', async () => {
    // Two logs on two connections stand for two Marshal processes: each appends in turn within itself,
    // and after the other's appends its remembered head is stale, so its compare-and-set must lose and retry.
    const other = new Redis(testRedisUrl());
    try {
      const second = new RedisAuditLog(other, prefix, createLogger({ level: 'silent' }));
      const entry = (i: number) => ({
        runId: `r-${i % 2}`,
        at: new Date().toISOString(),
        kind: 'host.changed',
        actor: 'marshal',
        target: `web-${i}`,
      });
      for (let round = 0; round < 3; round++)
        await Promise.all(
          Array.from({ length: 30 }, (_, i) => (i % 2 ? audit : second).append(entry(round * 30 + i))),
        );
      const head = await audit.head();
      expect(head.seq).toBe(95);
      const all = await audit.range(1, head.seq);
      expect(all.map((r) => r.seq)).toEqual(Array.from({ length: 95 }, (_, i) => i + 1));
      for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
      expect(new Set(all.slice(5).map((r) => r.target)).size).toBe(90);
      expect(await verify()).toMatchObject({ code: 0 });
    } finally {
      await other.quit();
    }
  });

  it('appends once per dedupe id, also when the same id comes twice among records sent together', async () => {
    const entry = (target: string) => ({
      runId: 'r-9',
      at: new Date().toISOString(),
      kind: 'host.changed',
      actor: 'marshal',
      target,
    });
    // The first goes to Redis alone; the rest queue behind it and go together, event:2 twice among them.
    const first = audit.record(entry('web-0'), { dedupeId: 'event:1' });
    const results = await Promise.all([
      audit.record(entry('web-1'), { dedupeId: 'event:2' }),
      audit.record(entry('web-1-again'), { dedupeId: 'event:2' }),
      audit.record(entry('web-0-again'), { dedupeId: 'event:1' }),
      audit.record(entry('web-3')),
      audit.record(entry('web-4'), { dedupeId: 'event:4' }),
    ]);
    expect((await first)?.seq).toBe(6);
    expect(results.map((r) => r?.target)).toEqual(['web-1', undefined, undefined, 'web-3', 'web-4']);
    expect(results.map((r) => r?.seq)).toEqual([7, undefined, undefined, 8, 9]);
    const all = await audit.range(1, (await audit.head()).seq);
    expect(all.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (let i = 1; i < all.length; i++) expect(all[i]!.prevHash).toBe(all[i - 1]!.hash);
    expect(await verify()).toMatchObject({ code: 0 });
  });

  it('names an edited record', async () => {
    const text = (await redis.hget(records(), '2'))!;
    await redis.hset(records(), '2', text.replace('U0APP', 'U0MALLORY'));
    const { code, out } = await verify();
    expect(code).toBe(3);
    expect(out).toContain('BROKEN at record #2');
    expect(out).toContain('changed after it was written');
  });

  it('names an edited last record (checked against the head)', async () => {
    const text = (await redis.hget(records(), '5'))!;
    await redis.hset(records(), '5', text.replace('succeeded', 'failed'));
    const { code, out } = await verify();
    expect(code).toBe(3);
    expect(out).toContain('BROKEN at record #5');
  });

  it('names a deleted record', async () => {
    await redis.hdel(records(), '3');
    const { code, out } = await verify();
    expect(code).toBe(3);
    expect(out).toContain('BROKEN at record #3');
    expect(out).toContain('missing (deleted)');
  });

  it('names reordered records', async () => {
    const [two, four] = await redis.hmget(records(), '2', '4');
    await redis.hset(records(), '2', four!, '4', two!);
    const { code, out } = await verify();
    expect(code).toBe(3);
    expect(out).toContain('BROKEN at record #2');
    expect(out).toContain('reordered');
  });

  it('detects a record forged with a fresh hash of its own: the next record still holds the old one', async () => {
    const forged = JSON.parse((await redis.hget(records(), '3'))!) as AuditRecord;
    await redis.hset(records(), '3', recordText({ ...forged, actor: 'U0MALLORY' }, 3, forged.prevHash));
    const { code, out } = await verify();
    expect(code).toBe(3);
    expect(out).toContain('BROKEN at record #3');
  });

  it('exports JSON Lines and CSV that read back to the same records, filtered by time and run', async () => {
    const all = await audit.range(1, 5);
    const jsonl = (await cli(['audit', 'export', '--format', 'jsonl'])).stdout;
    const fromJsonl = jsonl
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as HashedAuditRecord);
    expect(fromJsonl).toEqual(all);
    // Each exported record proves itself: its hash is the hash of its text, and it links to the one before.
    for (const [i, r] of fromJsonl.entries()) {
      const { hash, ...rest } = r;
      expect(hashText(recordText(AuditRecord.parse(rest), r.seq, r.prevHash))).toBe(hash);
      expect(r.prevHash).toBe(i === 0 ? GENESIS_HASH : fromJsonl[i - 1]!.hash);
    }

    const csv = (await cli(['audit', 'export', '--format', 'csv'])).stdout;
    const rows = parseCsv<Record<(typeof CSV_COLUMNS)[number], string>>(csv, { columns: true });
    const fromCsv = rows.map((row) => ({
      seq: Number(row.seq),
      prevHash: row.prevHash,
      at: row.at,
      ...(row.runId ? { runId: row.runId } : {}),
      kind: row.kind,
      actor: row.actor,
      ...(row.target ? { target: row.target } : {}),
      ...(row.link ? { link: row.link } : {}),
      data: JSON.parse(row.data) as Record<string, unknown>,
      hash: row.hash,
    }));
    expect(fromCsv).toEqual(all);

    const run1 = (await cli(['audit', 'export', '--run', 'r-1'])).stdout.trim().split('\n');
    expect(run1.map((l) => (JSON.parse(l) as HashedAuditRecord).kind)).toEqual([
      'run.started',
      'gate.approved',
      'run.finished',
    ]);
    const since = (await cli(['audit', 'export', '--since', '2026-11-27T00:03:00Z', '--format', 'csv']))
      .stdout;
    expect(parseCsv<{ seq: string }>(since, { columns: true }).map((r) => r.seq)).toEqual(['3', '4', '5']);
  }, 300_000);

  it('refuses a bad --format or --since, naming what is allowed', async () => {
    await expect(cli(['audit', 'export', '--format', 'xml'])).rejects.toMatchObject({
      stderr: expect.stringContaining('jsonl or csv'),
    });
    await expect(cli(['audit', 'export', '--since', 'yesterday'])).rejects.toMatchObject({
      stderr: expect.stringContaining('a duration ago'),
    });
  });
});
