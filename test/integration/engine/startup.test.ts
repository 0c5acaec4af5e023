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

  it('warns (but starts) when Redis keeps nothing across a restart', async () => {
    let log = '';
    const destination = new Writable({ write: (chunk: Buffer, _e, cb) => ((log += chunk.toString()), cb()) });
    const engine = await createEngine({
      redis: redis.url,
      registry: createRegistry([diamond]),
      logger: createLogger({ destination, level: 'warn' }),
    });
    await engine.close();
    expect(log).toMatch(/keeps no data across a restart/);
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
