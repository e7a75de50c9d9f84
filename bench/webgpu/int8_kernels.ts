// Every int8 product kernel the device runs (kernels/matmul_int8.ts: both
// ways of summing bytes on each tile, and subgroup matrices where the device
// has them) on square products, GPU time only: the picture behind the
// kernel the device's timing chose, and, on a GPU with tensor cores, how far
// subgroup matrices move the exact int8 product.
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { int8Candidates, matmulInt8, type Int8Kernel } from '../../src/backends/webgpu/kernels/matmul_int8.js';
import { bestTimes, withScratchBuffers } from '../../src/backends/webgpu/timing.js';

export interface Int8KernelRow {
  kernel: Int8Kernel;
  /** GOP/s at each size (2·n³ operations), best of the rounds. */
  gops: number[];
}

export async function int8KernelTimes(gpu: WebGpuBackend, sizes: readonly number[], rounds = 3): Promise<Int8KernelRow[]> {
  const rt = gpu.runtime;
  const kernels = int8Candidates(rt.ctx);
  const rows: Int8KernelRow[] = kernels.map((kernel) => ({ kernel, gops: [] }));
  for (const n of sizes) {
    const ms = await withScratchBuffers(rt, [n * n, n * n, 4 * n * n], ([a, b, out]) =>
      bestTimes(rt, kernels.map((kernel) => () =>
        matmulInt8(rt, { buffer: a, shape: [1, n, n], dtype: 'i8' }, { buffer: b, shape: [1, n, n], dtype: 'i8' }, out, { kernel, counted: false })), rounds));
    ms.forEach((t, i) => rows[i].gops.push((2 * n ** 3) / (t / 1000) / 1e9));
  }
  return rows;
}
