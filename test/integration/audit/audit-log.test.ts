import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisAuditLog } from '../../../src/audit/index.js';
import { createLogger } from '../../../src/log/index.js';
import { testRedisUrl, uniquePrefix } from '../../support/redis.js';

describe('audit log', () => {
  const redis = new Redis(testRedisUrl());
  afterAll(() => redis.quit());

  it('keeps every entry of a run in order, durably in Redis, with secrets scrubbed', async () => {
    const lines: string[] = [];
    const log = createLogger({
      destination: new Writable({
        write(chunk: Buffer, _e, cb) {
          lines.push(chunk.toString());
          cb();
        },
      }),
    });
    const audit = new RedisAuditLog(redis, uniquePrefix('audit'), log);
    await audit.append({
      runId: 'r1',
      at: '2026-01-01T00:00:00Z',
      kind: 'run.requested',
      actor: 'U1',
      data: { bundle: 'x' },
    });
    await audit.append({
      runId: 'r1',
      at: '2026-01-01T00:00:01Z',
      kind: 'host.changed',
      actor: 'marshal',
      target: 'web-01',
      data: { note: 'token=xoxb-12345678-abcdef', before: 'aa', after: 'bb' },
    });
    await audit.append({ runId: 'r2', at: '2026-01-01T00:00:02Z', kind: 'run.requested', actor: 'U2' });

    const entries = await audit.entries('r1');
    expect(entries.map((e) => e.kind)).toEqual(['run.requested', 'host.changed']);
    expect(entries[1]!.target).toBe('web-01');
    expect(JSON.stringify(entries)).not.toContain('xoxb-12345678');
    expect(lines.join('')).not.toContain('xoxb-12345678');
    expect(lines).toHaveLength(3);
  });

  it('refuses an entry with an empty run id or kind', async () => {
    const audit = new RedisAuditLog(redis, uniquePrefix('audit'), createLogger({ level: 'silent' }));
    await expect(audit.append({ runId: '', at: 'x', kind: 'k', actor: 'a' })).rejects.toThrow(/runId/);
    await expect(audit.append({ at: 'x', kind: '', actor: 'a' })).rejects.toThrow(/kind/);
  });
});
