// Every matmul tile candidate (kernels/matmul_kernel.ts) on square f32
// products, timed by GPU timestamps: the picture behind the tile tuning
// chooses, and how far the best is from what the device can do. Each tile is
// pinned in turn (useTile), so neither the device's tile nor a shape's tile
// stands in for it. Tiles the device cannot run (tileRuns) are left out.
import * as tm from '../../src/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { TILE_CANDIDATES, tileRuns, type MatmulTile } from '../../src/backends/webgpu/kernels/matmul_kernel.js';
import { useTile } from '../../src/backends/webgpu/kernels/matmul_tuning.js';

export interface TileRow {
  tile: MatmulTile;
  /** GFLOP/s at each size, GPU time only. */
  gflops: number[];
}

/** GFLOP/s of each candidate at each n (best of `rounds`); the adapter must have timestamp-query. */
export async function tileTimes(gpu: WebGpuBackend, sizes: readonly number[], rounds = 3): Promise<TileRow[]> {
  const rows: TileRow[] = TILE_CANDIDATES.filter((tile) => tileRuns(tile, gpu.runtime.ctx)).map((tile) => ({ tile, gflops: [] }));
  try {
    for (const n of sizes) {
      const a = tm.randn([n, n], { seed: 1 });
      const b = tm.randn([n, n], { seed: 2 });
      for (const row of rows) {
        useTile(gpu.runtime, row.tile);
        let ms = Infinity;
        for (let r = 0; r <= rounds; r++) { // round 0 builds the pipeline and is not counted
          const { kernels } = await gpu.timeKernels(async () => {
            const c = a.matmul(b);
            gpu.materialize(c.dataRef('bench').storage as GpuData);
            c.dispose();
          });
          if (r > 0) ms = Math.min(ms, kernels.filter((k) => k.kernel.startsWith('matmul')).reduce((sum, k) => sum + k.ms, 0));
        }
        row.gflops.push((2 * n ** 3) / (ms / 1000) / 1e9);
      }
      a.dispose();
      b.dispose();
    }
  } finally {
    useTile(gpu.runtime, null);
  }
  return rows;
}
