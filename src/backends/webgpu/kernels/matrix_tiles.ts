// The workgroup shapes of the products on subgroup matrices (tensor cores):
// the int8 one (matmul_int8_matrix.ts) and the f16 one (matmul_matrix.ts)
// block their outputs the same way, and are timed on the same tiles.
import type { GpuContext, SubgroupMatrixShape } from '../device.js';
import type { TileShape } from './matmul_kernel.js';

/**
 * A workgroup of the kernel: subM × subN subgroups, each with fragM × fragN
 * result matrices of the device's shape, stepping k by kSteps of its K.
 */
export interface MatrixTile {
  fragM: number;
  fragN: number;
  subM: number;
  subN: number;
  kSteps: number;
}

/**
 * The tiles a device times: the usual tensor-core blocking, 2 × 2 subgroups
 * of 2 × 2 to 4 × 2 matrices, k two or four matrices deep a step. Blocks
 * stop at 128 × 64 outputs: their sums pass through workgroup memory
 * (4 bytes each) beside the operands' step, within the H200's 48 KiB.
 * None of them has run on a GPU yet.
 */
export const MATRIX_TILES: readonly MatrixTile[] = [
  { fragM: 2, fragN: 2, subM: 2, subN: 2, kSteps: 2 },
  { fragM: 2, fragN: 2, subM: 2, subN: 2, kSteps: 4 },
  { fragM: 4, fragN: 2, subM: 2, subN: 2, kSteps: 2 },
  { fragM: 2, fragN: 4, subM: 2, subN: 2, kSteps: 2 },
];

export function describeMatrixTile({ fragM, fragN, subM, subN, kSteps }: MatrixTile): string {
  return `${subM}×${subN} subgroups of ${fragM}×${fragN} matrices, k by ${kSteps} matrices a step`;
}

/** A tile's kernel constants on a device: the matrix shape, the subgroup size, the k step, and the store's shape (TileShape). */
export interface MatrixLayout extends TileShape {
  shape: SubgroupMatrixShape;
  sg: number;
  kt: number;
}

/** The constants both kernels' WGSL reads for a tile laid out on a device. */
export function matrixDefines(tile: MatrixTile, { shape, kt, tileM, tileN, wgX, wgY }: MatrixLayout): Record<string, number> {
  return {
    SM_M: shape.M, SM_N: shape.N, SM_K: shape.K, FRAG_M: tile.fragM, FRAG_N: tile.fragN, SUB_M: tile.subM, SUB_N: tile.subN,
    KT: kt, WG_X: wgX, WG_Y: wgY, TILE_M: tileM, TILE_N: tileN,
  };
}

/**
 * A tile's geometry for a matrix shape on a device (operands of
 * `operandBytes` each), or null where the device cannot run it: the block's
 * sums and one k step of both operands in workgroup memory, the invocations
 * within the device's limits, and a store that splits evenly.
 */
export function matrixLayout(
  tile: MatrixTile, shape: SubgroupMatrixShape | null, operandBytes: number, { features, limits }: Pick<GpuContext, 'features' | 'limits'>,
): MatrixLayout | null {
  const sg = features.subgroupSize;
  if (!shape || !sg) return null;
  const bm = tile.subM * tile.fragM * shape.M;
  const bn = tile.subN * tile.fragN * shape.N;
  const kt = tile.kSteps * shape.K;
  const invocations = sg * tile.subM * tile.subN;
  // The store: each invocation takes up to 4 columns of the block, rows interleaved (matmul_store.wgsl).
  const tileN = Math.max(1, Math.min(4, (bn * bm) / invocations));
  const wgX = bn / tileN;
  const wgY = invocations / wgX;
  const tileM = bm / wgY;
  const bytes = 4 * bm * bn + operandBytes * kt * (bm + bn);
  const fits = Number.isInteger(wgX) && Number.isInteger(wgY) && Number.isInteger(tileM) && bytes <= limits.maxComputeWorkgroupStorageSize &&
    invocations <= limits.maxComputeInvocationsPerWorkgroup;
  return fits ? { shape, sg, kt, tileM, tileN, wgX, wgY } : null;
}
