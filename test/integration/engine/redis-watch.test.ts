import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, type EngineRuntime } from '../../../src/engine/runtime/create-engine.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { LocalRedis } from '../../../src/local/redis-server.js';
import { createLogger } from '../../../src/log/index.js';
import { diamond } from '../../support/test-workflows.js';

/** What start-up checks cannot see: a Redis switched to an evicting policy while Marshal runs. */
describe('the runtime Redis watch', () => {
  let redis: LocalRedis;
  let admin: Redis;
  let engine: EngineRuntime;
  let log = '';

  beforeAll(async () => {
    redis = await LocalRedis.start();
    admin = new Redis(redis.url);
    engine = await createEngine({
      redis: redis.url,
      registry: createRegistry([diamond]),
      logger: createLogger({
        level: 'warn',
        destination: new Writable({ write: (c: Buffer, _e, cb) => ((log += c.toString()), cb()) }),
      }),
      watchIntervalMs: 100,
    });
  });
  afterAll(async () => {
    await engine?.close();
    admin?.disconnect();
    await redis?.destroy();
  });

  it('reports a switch to an evicting policy once, is not ready meanwhile, and ready again once it is undone', async () => {
    expect(engine.health.readiness()).toEqual({ ready: true });
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    await vi.waitFor(() => expect(engine.health.readiness().ready).toBe(false), { timeout: 20_000 });
    expect(engine.health.readiness().why).toMatch(/maxmemory-policy "allkeys-lru".*noeviction/);
    // Still evicting on later looks: still one report.
    await vi.waitFor(() => expect(log).toMatch(/switched to maxmemory-policy \\"allkeys-lru/));
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await vi.waitFor(() => expect(engine.health.readiness()).toEqual({ ready: true }), { timeout: 20_000 });
    expect(log.match(/switched to maxmemory-policy/g)).toHaveLength(1);
  });
});
