import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';

/** The shared test Redis (see global-setup.ts). */
export function testRedisUrl(): string {
  return inject('redisUrl');
}

/** A key prefix no other test uses, so tests can share one Redis without seeing each other. */
export function uniquePrefix(name: string): string {
  return `test-${name}-${randomBytes(4).toString('hex')}`;
}
