import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LocalRedis } from '../../../src/local/redis-server.js';
import { createEngine } from '../../../src/engine/runtime/create-engine.js';
import { createRegistry } from '../../../src/engine/registry.js';
import { RedisMisconfigured } from '../../../src/engine/errors/redis-misconfigured.js';
import { WorkflowDefinitionError } from '../../../src/engine/errors/workflow-definition-error.js';
import { defineWorkflow } from '../../../src/engine/dag/compile-workflow.js';
import type { AnyWorkflow } from '../../../src/engine/registry.js';
import { createLogger, silentLogger } from '../../../src/log/index.js';
import { diamond } from '../../support/test-workflows.js';

describe('engine start-up checks', () => {
  let redis: LocalRedis;
  let admin: Redis;
  beforeAll(async () => {
    redis = await LocalRedis.start();
    admin = new Redis(redis.url);
  });
  afterAll(async () => {
    admin.disconnect();
    await redis.destroy();
  });

  it('refuses a Redis whose maxmemory-policy lets it evict keys, saying how to fix it', async () => {
    await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const err = await createEngine({
      redis: redis.url,
      registry: createRegistry([diamond]),
      logger: silentLogger(),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RedisMisconfigured);
    expect((err as Error).message).toMatch(/allkeys-lru.*CONFIG SET maxmemory-policy noeviction/s);
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
  });

  it('refuses a Redis that keeps nothing across a restart, naming REDIS_URL (not its password) and the fix', async () => {
    const throwaway = await LocalRedis.start({ ephemeral: true });
    const withPassword = throwaway.url.replace('redis://', 'redis://:hunter2hunter2@');
    const probe = new Redis(throwaway.url);
    await probe.config('SET', 'requirepass', 'hunter2hunter2');
    probe.disconnect();
    try {
      const err = await createEngine({
        redis: withPassword,
        registry: createRegistry([diamond]),
        logger: silentLogger(),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RedisMisconfigured);
      const message = (err as Error).message;
      expect(message).toContain(`REDIS_URL=redis://:***@127.0.0.1:${throwaway.port}`);
      expect(message).not.toContain('hunter2');
      expect(message).toMatch(/appendonly yes/);
      expect(message).toMatch(/save/);
      expect(message).toMatch(/MARSHAL_ALLOW_EPHEMERAL_REDIS=1/);
    } finally {
      await throwaway.destroy();
    }
  });

  it('starts on a Redis that keeps nothing when explicitly allowed (throwaway use), and warns', async () => {
    const throwaway = await LocalRedis.start({ ephemeral: true });
    let log = '';
    const destination = new Writable({ write: (chunk: Buffer, _e, cb) => ((log += chunk.toString()), cb()) });
    try {
      const engine = await createEngine({
        redis: throwaway.url,
        registry: createRegistry([diamond]),
        logger: createLogger({ destination, level: 'warn' }),
        allowEphemeralRedis: true,
      });
      await engine.close();
      expect(log).toMatch(/keeps no data across a restart/);
    } finally {
      await throwaway.destroy();
    }
  });

  it('starts on the default local Redis, which persists into its own directory', async () => {
    const engine = await createEngine({
      redis: redis.url,
      registry: createRegistry([diamond]),
      logger: silentLogger(),
    });
    await engine.close();
  });

  it('refuses bad workflow definitions at registration', () => {
    expect(() => createRegistry([diamond, diamond])).toThrow(/two workflows are named "diamond"/);
    const cyclic = {
      ...diamond,
      name: 'cyclic',
      tasks: new Map([['x', { ...diamond.tasks.get('a')!, id: 'x', upstream: ['x'] }]]),
    } as AnyWorkflow;
    expect(() => createRegistry([cyclic])).toThrow(WorkflowDefinitionError);
    expect(() =>
      defineWorkflow({
        name: 'bad',
        summary: 'upstream missing',
        params: z.object({}),
        tasks: (wf) => void wf.task('a', async () => 1, { after: { id: 'ghost' } }),
      }),
    ).toThrow(WorkflowDefinitionError);
  });
});
