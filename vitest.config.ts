import { mkdtempSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { wgslModule } from './scripts/browser-plugins.mjs';

export default defineConfig({
  plugins: [
    {
      // Shaders load as their text, noting their bindings as the browser bundle does
      // (scripts/browser-plugins.mjs), so every kernel the tests compile checks the notes against wgsl_reflect.
      name: 'wgsl-text',
      load(id) {
        if (id.endsWith('.wgsl')) return wgslModule(readFileSync(id, 'utf8'), id);
      },
    },
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // webgpu output buffers start as all-ones bits (NaN, -1): an element a kernel fails to write shows.
    // Per-machine caches (probe, webgpu tuning) go to a directory of this run's own: tests neither
    // read what earlier runs measured nor leave timings taken under test load for real runs to use.
    // Mesa's cache of compiled shaders stays where it was: it saves compile time and holds no measurements.
    env: {
      TMNN_WEBGPU_POISON: '1',
      // Every piece of WGSL that declares bindings must have them noted (src/backends/webgpu/reflect.ts).
      TMNN_TEST_NOTED_BINDINGS: '1',
      XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'tmnn-test-cache-')),
      MESA_SHADER_CACHE_DIR: process.env.MESA_SHADER_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mesa_shader_cache'),
    },
    testTimeout: 30_000,
    setupFiles: ['test/helpers/settle.ts'],
    // Two cores here: forks keep heavy suites from starving each other.
    pool: 'forks',
  },
});
