import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Stryker runs the unit tests (pure logic, no I/O) once per mutant: integration tests start real
// servers and would make a mutation run take hours while adding nothing for the pure modules mutated.
export default defineConfig({
  // As in vitest.config.ts: workflow modules import the authoring entry by its package name.
  resolve: {
    alias: { 'marshal/authoring': fileURLToPath(new URL('./src/authoring/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/unit/**/*.test.ts'],
    pool: 'forks',
    // A mutation run keeps both cores busy for a long time, and some unit tests start a real /bin/sh
    // per case (shell quoting): vitest's default of 5 s fails them on a loaded machine, and a failing
    // initial run stops Stryker before it tests a single mutant. (A mutant that loops for ever is still
    // caught: Stryker's own timeoutMS applies per mutant.)
    testTimeout: 60_000,
    env: { MARSHAL_FROM_SOURCES: '1' },
  },
});
