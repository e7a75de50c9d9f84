import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      // The build loads shaders/*.wgsl as text (esbuild's text loader); so do the tests.
      name: 'wgsl-text',
      load(id) {
        if (id.endsWith('.wgsl')) return `export default ${JSON.stringify(readFileSync(id, 'utf8'))};`;
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // webgpu output buffers start as all-ones bits (NaN, -1): an element a kernel fails to write shows.
    env: { TMNN_WEBGPU_POISON: '1' },
    testTimeout: 30_000,
    // Two cores here: forks keep heavy suites from starving each other.
    pool: 'forks',
  },
});
