import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The fault suite: real redis-server, sshd hosts and marshal processes frozen (SIGSTOP), killed and
// restarted. Slow by nature, so it is kept out of `npm test` and run by `npm run test:faults` (and CI).
export default defineConfig({
  // Workflow modules import the authoring entry by its package name (package.json "exports").
  resolve: {
    alias: { 'marshal/authoring': fileURLToPath(new URL('./src/authoring/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 240_000,
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    // `marshal` processes the tests start run the sources, even when a build (dist/) is lying around.
    env: { MARSHAL_FROM_SOURCES: '1' },
  },
});
