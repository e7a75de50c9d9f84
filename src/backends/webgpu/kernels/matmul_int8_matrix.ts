// The exact int8 product on an adapter's subgroup matrices (tensor cores;
// shaders/matmul_int8_matrix.wgsl): one of the int8 kernels matmul_int8.ts
// times per device, where the device has i8 × i8 → i32 subgroup matrices
// (device.ts: Dawn's experimental feature, asked for only under
// TMNN_WEBGPU_UNSAFE_APIS=1). The browser bundle carries a stand-in that
// offers no tiles (matmul_int8_matrix.browser.ts): browsers offer the feature
// only behind flags, and the bundle's 100 KB budget is spent.
import matmulInt8MatrixShader from '../../../../shaders/matmul_int8_matrix.wgsl';
import matmulInt8Io from '../../../../shaders/matmul_int8_io.wgsl';
import matmulMatrixStore from '../../../../shaders/matmul_matrix_store.wgsl';
import matmulStore from '../../../../shaders/matmul_store.wgsl';
import tileGrid from '../../../../shaders/tile_grid.wgsl';
import type { Kernel, WgslScalar } from '../compiler.js';
import type { GpuContext } from '../device.js';
import type { Runtime } from '../runtime.js';
import type { TileShape } from './matmul_kernel.js';
import { describeMatrixTile, matrixDefines, matrixLayout, type MatrixTile } from './matrix_tiles.js';

/** What every int8 kernel ends with (matmul_int8.ts): the epilogue's `value(i)` and the types of the sums and the output. */
export interface Int8KernelEnd {
  value: readonly string[];
  types: { Acc: 'i32'; Out: WgslScalar };
}

/** The shader text the kernel is assembled from beyond the int8 kernels' shared pieces: what a remembered timing was measured on. */
export const MATRIX_SOURCES: readonly string[] = [matmulInt8MatrixShader, matmulMatrixStore];

/** Whether a device runs a tile: it has int8 subgroup matrices, and the tile fits its workgroup limits. */
export function matrixTileRuns(tile: MatrixTile, ctx: Pick<GpuContext, 'features' | 'limits'>): boolean {
  return matrixLayout(tile, ctx.features.int8Matrix, 1, ctx) !== null;
}

/**
 * The kernel for a tile on this device's subgroup matrices, and the shape of
 * its store (TILE_M × TILE_N per invocation in WG_X × WG_Y), by which
 * matmul_int8.ts launches it as it launches the other int8 kernels.
 */
export function int8MatrixKernel(rt: Runtime, tile: MatrixTile, { value, types }: Int8KernelEnd): { kernel: Kernel; shape: TileShape } {
  const layout = matrixLayout(tile, rt.ctx.features.int8Matrix, 1, rt.ctx);
  if (!layout) throw new Error(`webgpu int8 matmul: this device cannot run subgroup matrices, ${describeMatrixTile(tile)}`);
  const { sg, tileM, tileN, wgX, wgY } = layout;
  const kernel = rt.compiler.kernel({
    name: 'matmul_int8_matrix',
    source: [matmulInt8MatrixShader, matmulInt8Io, tileGrid, matmulMatrixStore, matmulStore, ...value],
    bindingsFrom: [matmulInt8Io, ...value],
    types,
    defines: { SG: sg, ...matrixDefines(tile, layout) },
  });
  return { kernel, shape: { tileM, tileN, wgX, wgY } };
}
