import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workflow modules import the authoring entry by its package name (package.json "exports").
  resolve: {
    alias: { 'marshal/authoring': fileURLToPath(new URL('./src/authoring/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    // The fault suite (real processes frozen, killed, restarted) is slow: `npm run test:faults`, also in CI.
    exclude: ['test/faults/**', '**/node_modules/**'],
    // Integration tests start real redis-server, sshd and HTTP servers; they need room on a 2-core box.
    // Above the fixtures' own waits (up to 120 s, each naming what it waited for): on a loaded machine a
    // slow test then fails with that name, not with a bare "timed out".
    testTimeout: 180_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/support/global-setup.ts'],
    // `marshal` processes the tests start run the sources, even when a build (dist/) is lying around.
    env: { MARSHAL_FROM_SOURCES: '1' },
  },
});
