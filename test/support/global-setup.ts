import type { TestProject } from 'vitest/node';
import { LocalRedis } from '../../src/local/redis-server.js';

/**
 * One redis-server for the whole test run unless REDIS_URL is given. Tests that crash or restart Redis
 * start their own with `LocalRedis.start()`. Each test file isolates itself with its own key prefix.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.REDIS_URL) {
    project.provide('redisUrl', process.env.REDIS_URL);
    return async () => {};
  }
  const redis = await LocalRedis.start();
  project.provide('redisUrl', redis.url);
  return () => redis.destroy();
}

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
  }
}
