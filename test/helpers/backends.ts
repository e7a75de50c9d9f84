// The backends every op suite runs on. Each suite loops over them with
// describe.each and calls `await tm.init({ backend })` in beforeAll; results are
// compared with float64 references written in the tests, so a new backend
// joins by being listed here. TMNN_TEST_BACKENDS=js,webgpu picks a subset.
import type { BackendName } from '../../src/index.js';

export const BACKENDS: BackendName[] = process.env.TMNN_TEST_BACKENDS
  ? (process.env.TMNN_TEST_BACKENDS.split(',').map((b) => b.trim()) as BackendName[])
  : ['js', 'native', 'webgpu'];
