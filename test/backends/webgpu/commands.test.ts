// Recording and submitting: kernels recorded between readbacks go to the GPU
// in batches, each launch's parameters (its dims, as a uniform) staged in one
// buffer per submit at its own offset. Hundreds of launches recorded before a
// single readback — several submits' worth — each read their own parameters.
import { beforeAll, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import type { WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { expectClose, uniform } from '../../helpers/data.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

it('hundreds of launches with parameters, recorded before one readback, each read their own', async () => {
  const n = 300;
  const v = uniform(n * 7);
  const x = tm.tensor(v, [n, 7]);
  const before = gpu.runtime.commands.dispatches;
  // Row k summed over its first (k % 7) + 1 columns: a slice and a reduction per row, each launch with its own dims.
  const sums = Array.from({ length: n }, (_, k) => x.slice([k, 0], [1, (k % 7) + 1]).sum());
  expect(gpu.runtime.commands.dispatches - before).toBeGreaterThanOrEqual(n);
  const got = await Promise.all(sums.map((s) => s.data()));
  const want = Array.from({ length: n }, (_, k) => v.slice(k * 7, k * 7 + (k % 7) + 1).reduce((a, b) => a + b, 0));
  expectClose(Float64Array.from(got.map((g) => g[0])), Float64Array.from(want), 1e-5);
});
