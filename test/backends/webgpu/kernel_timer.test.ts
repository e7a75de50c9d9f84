// GPU time per kernel (timestamp queries), for profiling: every dispatch of
// the timed work is counted under its kernel's name, the results are the
// same as untimed, and an adapter without timestamp-query says so. And the
// GPU time of one piece of work, for choosing between kernels (timing.ts).
import { beforeAll, expect, it } from 'vitest';
import * as tm from '../../../src/index.js';
import { activeBackend } from '../../../src/engine.js';
import { webGpuBackendOn, type WebGpuBackend } from '../../../src/backends/webgpu/index.js';
import { TILE_CANDIDATES, matmulWithTile } from '../../../src/backends/webgpu/kernels/matmul_kernel.js';
import { expectClose } from '../../helpers/data.js';

let gpu: WebGpuBackend;
beforeAll(async () => {
  await tm.init({ backend: 'webgpu' });
  gpu = activeBackend() as WebGpuBackend;
});

it('counts every dispatch under its kernel, with GPU time, and leaves the results as they were', async () => {
  if (!gpu.features.timestampQuery) return void console.log('skipped: this adapter has no timestamp-query');
  const x = tm.randn([96, 200], { seed: 1 });
  const w = tm.randn([200, 72], { seed: 2 });
  const b = tm.randn([72], { seed: 3 });
  const step = () => tm.tidy(() => x.matmul(w).add(b).relu().softmax(-1).sum(1));
  const untimed = await step().data();
  const before = gpu.runtime.commands.dispatches;
  const { result, kernels } = await gpu.timeKernels(async () => {
    const outs = [step(), step(), step()];
    return Promise.all(outs.map((o) => o.data()));
  });
  const launched = gpu.runtime.commands.dispatches - before;
  for (const r of result) expectClose(r, Float64Array.from(untimed), 1e-6);
  // The test mode's poison fills (kernel `fill`) are timed too, though not counted as launches.
  expect(kernels.filter((k) => k.kernel !== 'fill').reduce((n, k) => n + k.launches, 0)).toBe(launched);
  const names = kernels.map((k) => k.kernel);
  expect(names.some((n) => n.startsWith('matmul'))).toBe(true);
  expect(names).toContain('softmax');
  expect(names).toContain('reduce');
  expect(kernels.every((k) => k.ms >= 0)).toBe(true);
  expect(kernels.find((k) => k.kernel.startsWith('matmul'))!.ms).toBeGreaterThan(0);
  // Sorted, most GPU time first.
  expect(kernels.map((k) => k.ms)).toEqual([...kernels.map((k) => k.ms)].sort((p, q) => q - p));
  // Timing stops with the call: later work is not counted.
  const again = await gpu.timeKernels(async () => tm.ones([4]).data());
  expect(again.kernels.filter((k) => k.kernel !== 'fill').reduce((n, k) => n + k.launches, 0)).toBeLessThanOrEqual(1);
  // Exact timestamps in Node (Dawn's rounding to ~65 µs is turned off): not every total a multiple of 2^16 ns.
  expect(kernels.some((k) => Math.round(k.ms * 1e6) % 65536 !== 0)).toBe(true);
});

it('an adapter without timestamp-query is told so', async () => {
  const ctx = gpu.runtime.ctx;
  const without = webGpuBackendOn({ ...ctx, features: { ...ctx.features, timestampQuery: false } });
  await expect(without.timeKernels(async () => 1)).rejects.toThrow(/needs the timestamp-query feature, which .* lacks/);
});

it('times one piece of work on the GPU: more of it takes longer, a profile around it does not count it, and a copy inside is refused', async () => {
  if (!gpu.features.timestampQuery) return void console.log('skipped: this adapter has no timestamp-query');
  const { commands, pool } = gpu.runtime;
  const n = 192;
  const [a, b, out] = [0, 1, 2].map(() => pool.acquire(4 * n * n));
  const op = (buffer: GPUBuffer) => ({ buffer, shape: [1, n, n], dtype: 'f32' as const });
  const products = (count: number) => () => {
    for (let i = 0; i < count; i++) matmulWithTile(gpu.runtime, op(a), op(b), { transposeA: false, transposeB: false }, 'f32', out, TILE_CANDIDATES[0]);
  };
  await commands.timeRecorded(products(1)); // the pipeline built before timing
  const { result: [one, eight], kernels } = await gpu.timeKernels(async () => {
    const once = await commands.timeRecorded(products(1));
    const eightTimes = await commands.timeRecorded(products(8));
    await tm.ones([3]).add(1).data();
    return [once, eightTimes];
  });
  expect(one).toBeGreaterThan(0);
  expect(eight).toBeGreaterThan(one);
  expect(kernels.some((k) => k.kernel.startsWith('matmul'))).toBe(false);
  expect(kernels.some((k) => k.kernel === 'elementwise')).toBe(true);
  await expect(commands.timeRecorded(() => commands.copy(a, b, 16))).rejects.toThrow(/the work being timed must be dispatches only/);
  const after = tm.tensor([1, 2, 3]).mul(2);
  expect(Array.from(await after.data())).toEqual([2, 4, 6]);
  for (const buffer of [a, b, out]) pool.release(buffer);
});
