// Matmul tiles on square products, timed by GPU timestamps: every f32
// candidate (kernels/matmul_kernel.ts), the picture behind the tile tuning
// chooses and how far the best is from what the device can do; and, where
// the device has f16 subgroup matrices, the tiles on them against the f32
// winner on f16 products. Each tile is pinned in turn (useTile), so neither
// the device's tile nor a shape's tile stands in for it. Tiles the device
// cannot run (productTileRuns) are left out.
import * as tm from '../../src/index.js';
import type { GpuData } from '../../src/backends/webgpu/data.js';
import type { WebGpuBackend } from '../../src/backends/webgpu/index.js';
import { TILE_CANDIDATES, productTileRuns, type ProductTile } from '../../src/backends/webgpu/kernels/matmul_kernel.js';
import { useTile } from '../../src/backends/webgpu/kernels/matmul_tuning.js';

export interface TileRow {
  tile: ProductTile;
  /** GFLOP/s at each size, GPU time only. */
  gflops: number[];
}

/**
 * GFLOP/s of each tile (by default every f32 candidate) at each n, on `dtype`
 * operands (best of `rounds`); the adapter must have timestamp-query.
 */
export async function tileTimes(
  gpu: WebGpuBackend, sizes: readonly number[], { tiles = TILE_CANDIDATES, dtype = 'f32', rounds = 3 }: { tiles?: readonly ProductTile[]; dtype?: 'f32' | 'f16'; rounds?: number } = {},
): Promise<TileRow[]> {
  const rows: TileRow[] = tiles.filter((tile) => productTileRuns(tile, gpu.runtime.ctx, dtype)).map((tile) => ({ tile, gflops: [] }));
  try {
    for (const n of sizes) {
      const a = tm.randn([n, n], { seed: 1, dtype });
      const b = tm.randn([n, n], { seed: 2, dtype });
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
