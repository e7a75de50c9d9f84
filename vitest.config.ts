import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    // Two cores here: forks keep heavy suites from starving each other.
    pool: 'forks',
  },
});
