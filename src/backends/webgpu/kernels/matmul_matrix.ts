// Products of f16 tensors on the adapter's subgroup matrices (tensor cores;
// shaders/matmul_matrix.wgsl), summed in f32: tiles a product can run on
// beside those of matmul_kernel.ts, where the device has f16 × f16 → f32
// subgroup matrices (device.ts: Dawn's experimental feature, asked for only
// under TMNN_WEBGPU_UNSAFE_APIS=1) and the operands are f16. Whether they
// are faster is measured per device like every tile (matmul_tuning.ts): on
// lavapipe, where the matrices are emulated, they are not. The browser
// bundle carries a stand-in that offers none (matmul_matrix.browser.ts), as
// for the int8 product on them.
import matmulDims from '../../../../shaders/matmul_dims.wgsl';
import matmulMatrixShader from '../../../../shaders/matmul_matrix.wgsl';
import matmulMatrixIo from '../../../../shaders/matmul_matrix_io.wgsl';
import matmulMatrixStore from '../../../../shaders/matmul_matrix_store.wgsl';
import matmulStore from '../../../../shaders/matmul_store.wgsl';
import tileGrid from '../../../../shaders/tile_grid.wgsl';
import type { DType } from '../../../dtype.js';
import type { Kernel, WgslScalar } from '../compiler.js';
import type { GpuContext } from '../device.js';
import type { Runtime } from '../runtime.js';
import type { TileShape } from './matmul_kernel.js';
import { describeMatrixTile, matrixDefines, matrixLayout, MATRIX_TILES, type MatrixTile } from './matrix_tiles.js';

/** A tile of the product on subgroup matrices: its blocking, the shape of the matrices being the device's. */
export interface MatrixProductTile {
  readonly matrix: MatrixTile;
}

export const MATRIX_PRODUCT_TILES: readonly MatrixProductTile[] = MATRIX_TILES.map((matrix) => ({ matrix }));

/** The shader text the kernel is assembled from beyond the float kernels' shared pieces: what a remembered tuning was measured on. */
export const MATRIX_PRODUCT_SOURCES: readonly string[] = [matmulMatrixShader, matmulMatrixIo, matmulMatrixStore];

export function describeMatrixProductTile(tile: MatrixProductTile): string {
  return `f16 subgroup matrices, ${describeMatrixTile(tile.matrix)}`;
}

/** Whether a device runs a tile on a product of these operands: f16 ones, f16 subgroup matrices, the tile within its workgroup limits. */
export function matrixProductRuns(tile: MatrixProductTile, ctx: Pick<GpuContext, 'features' | 'limits'>, operands: DType): boolean {
  return operands === 'f16' && matrixLayout(tile.matrix, ctx.features.f16Matrix, 2, ctx) !== null;
}

/**
 * The kernel for a tile, with the epilogue's `value(i)` and the kernel's
 * types, and the shape of its store (TILE_M × TILE_N per invocation in
 * WG_X × WG_Y), by which matmul_kernel.ts launches it as it launches the
 * others.
 */
export function matrixProductKernel(
  rt: Runtime, tile: MatrixProductTile, value: readonly string[], types: { In: WgslScalar; Acc: WgslScalar; Out: WgslScalar },
): { kernel: Kernel; shape: TileShape } {
  const layout = types.In === 'f16' && types.Acc === 'f32' ? matrixLayout(tile.matrix, rt.ctx.features.f16Matrix, 2, rt.ctx) : null;
  if (!layout) {
    throw new Error(`webgpu matmul: ${describeMatrixProductTile(tile)} needs f16 operands summed in f32 on a device with f16 subgroup matrices (operands ${types.In}, sums ${types.Acc})`);
  }
  const { tileM, tileN, wgX, wgY } = layout;
  const kernel = rt.compiler.kernel({
    name: 'matmul_matrix',
    source: [matmulDims, matmulMatrixShader, matmulMatrixIo, tileGrid, matmulMatrixStore, matmulStore, ...value],
    bindingsFrom: [matmulDims, matmulMatrixIo, ...value],
    types,
    defines: matrixDefines(tile.matrix, layout),
  });
  return { kernel, shape: { tileM, tileN, wgX, wgY } };
}
