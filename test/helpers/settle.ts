// Run before every test file (vitest.config.ts setupFiles): the file's worker
// is ended once its tests are done, and Dawn aborts the whole process when a
// worker ends with a GPU wait pending. Measurements that the file's kernels
// started in the background (tile, int8 kernel, row layout) finish first.
import { afterAll } from 'vitest';
import { measurementsSettled } from '../../src/backends/webgpu/tuning_store.js';

afterAll(measurementsSettled, 120_000);
