import { defineConfig } from 'vitest/config';

// Stryker runs the unit tests (pure logic, no I/O) once per mutant: integration tests start real
// servers and would make a mutation run take hours while adding nothing for the pure modules mutated.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    pool: 'forks',
  },
});
