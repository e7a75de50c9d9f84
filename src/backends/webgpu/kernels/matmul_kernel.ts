// The matrix-product kernels (shaders/matmul.wgsl, matmul_subgroup.wgsl,
// matmul_vec4.wgsl, matmul_vec4_subgroup.wgsl, matmul_shared.wgsl,
// matmul_shared_vec4.wgsl; for f16 operands on subgroup matrices,
// matmul_matrix.wgsl) launched with a given tile, with an optional fused
// epilogue: the elementwise chain that consumes the product (bias,
// activation) computed from the accumulator before it is stored, so that
// matmul(x, w).add(b).relu() is one launch. Which tile a product runs on is
// matmul_tuning.ts's choice; the candidates are here.
import type { DType } from '../../../dtype.js';
import type { MatmulConfig } from '../../kernels.js';
import matmulShader from '../../../../shaders/matmul.wgsl';
import matmulDims from '../../../../shaders/matmul_dims.wgsl';
import matmulSharedShader from '../../../../shaders/matmul_shared.wgsl';
import matmulStore from '../../../../shaders/matmul_store.wgsl';
import matmulSubgroupShader from '../../../../shaders/matmul_subgroup.wgsl';
import matmulSharedVec4Shader from '../../../../shaders/matmul_shared_vec4.wgsl';
import matmulVec4Shader from '../../../../shaders/matmul_vec4.wgsl';
import matmulVec4Store from '../../../../shaders/matmul_vec4_store.wgsl';
import matmulVec4SubgroupShader from '../../../../shaders/matmul_vec4_subgroup.wgsl';
import tileGrid from '../../../../shaders/tile_grid.wgsl';
import type { Kernel, WgslScalar } from '../compiler.js';
import type { GpuContext } from '../device.js';
import type { FusedCode } from '../fusion.js';
import { computeType } from '../layout.js';
import { grid, type Operand, type Runtime } from '../runtime.js';
import type { BufferWindow } from '../windows.js';
import { describeMatrixProductTile, matrixProductKernel, matrixProductRuns, type MatrixProductTile } from './matmul_matrix.js';

/** Bindings 0–3 are the operands, the output and the dims; a fused epilogue's start here. */
export const EPILOGUE_FIRST_BINDING = 4;

export interface Epilogue {
  code: FusedCode;
  /** The dtype the fused chain stores. */
  outDtype: DType;
}

export interface MatmulTile {
  /** Whether operand tiles go through workgroup memory (matmul_shared.wgsl; with vec4, matmul_shared_vec4.wgsl and tileM a multiple of 4), and the k slice they cover. */
  shared?: { bk: number };
  /** B read as vec4 (matmul_vec4.wgsl): only for B not transposed and N % 4 == 0; tileN a multiple of 4, wgY 1. */
  vec4?: true;
  /**
   * Each value of A loaded once per subgroup and passed round with
   * subgroupShuffle (matmul_subgroup.wgsl, with vec4 matmul_vec4_subgroup.wgsl):
   * one-row workgroups (wgY 1), only on adapters with subgroups of a fixed
   * size that divides wgX.
   */
  shareA?: true;
  /** Outputs per invocation: rows × columns. */
  tileM: number;
  tileN: number;
  /** Invocations per workgroup along columns (x) and rows (y). */
  wgX: number;
  wgY: number;
}

/**
 * Any tile a product can run on: one of TILE_CANDIDATES, or one on subgroup
 * matrices (f16 operands only: matmul_matrix.ts).
 */
export type ProductTile = MatmulTile | MatrixProductTile;

export function isMatrixTile(tile: ProductTile): tile is MatrixProductTile {
  return 'matrix' in tile;
}

/** Whether a device can run a tile on a product of these operands. */
export function productTileRuns(tile: ProductTile, ctx: Pick<GpuContext, 'limits' | 'features'>, operands: DType): boolean {
  return isMatrixTile(tile) ? matrixProductRuns(tile, ctx, operands) : tileRuns(tile, ctx);
}

/** The tiles a device chooses among, by measurement (matmul_tuning.ts); the first is the default until then. */
export const TILE_CANDIDATES: readonly MatmulTile[] = [
  { tileM: 4, tileN: 4, wgX: 8, wgY: 8 },
  { tileM: 4, tileN: 4, wgX: 16, wgY: 16 },
  { tileM: 8, tileN: 4, wgX: 16, wgY: 8 },
  { tileM: 4, tileN: 8, wgX: 8, wgY: 16 },
  { tileM: 2, tileN: 4, wgX: 16, wgY: 16 },
  { tileM: 8, tileN: 8, wgX: 8, wgY: 8 },
  { tileM: 8, tileN: 8, wgX: 8, wgY: 2 },
  { tileM: 8, tileN: 8, wgX: 16, wgY: 1 },
  { tileM: 8, tileN: 16, wgX: 8, wgY: 1 },
  { tileM: 16, tileN: 8, wgX: 8, wgY: 1 },
  { vec4: true, tileM: 8, tileN: 8, wgX: 16, wgY: 1 },
  { vec4: true, tileM: 16, tileN: 8, wgX: 16, wgY: 1 },
  { vec4: true, tileM: 8, tileN: 16, wgX: 8, wgY: 1 },
  { vec4: true, tileM: 4, tileN: 8, wgX: 64, wgY: 1 },
  // A shared across a subgroup: 16 × 16 per invocation is past the register
  // cliff of the plain vec4 kernel (256 accumulators), not with A's loads shared.
  { vec4: true, shareA: true, tileM: 16, tileN: 16, wgX: 8, wgY: 1 },
  { vec4: true, shareA: true, tileM: 16, tileN: 16, wgX: 16, wgY: 1 },
  { vec4: true, shareA: true, tileM: 16, tileN: 8, wgX: 16, wgY: 1 },
  { vec4: true, shareA: true, tileM: 8, tileN: 8, wgX: 32, wgY: 1 },
  // And for the products the vec4 kernels cannot read (B transposed: the backward pass).
  { shareA: true, tileM: 16, tileN: 8, wgX: 8, wgY: 1 },
  { shareA: true, tileM: 16, tileN: 16, wgX: 8, wgY: 1 },
  { shareA: true, tileM: 8, tileN: 8, wgX: 32, wgY: 1 },
  { shared: { bk: 16 }, tileM: 4, tileN: 4, wgX: 8, wgY: 8 },
  { shared: { bk: 8 }, tileM: 4, tileN: 4, wgX: 16, wgY: 16 },
  { shared: { bk: 16 }, tileM: 2, tileN: 2, wgX: 16, wgY: 16 },
  // The classic GPU shape: a 128 × 128 block per workgroup, 8 × 8 per invocation,
  // 16 KiB of workgroup memory (WebGPU's default limit). Slow on a CPU rasteriser.
  { shared: { bk: 16 }, tileM: 8, tileN: 8, wgX: 16, wgY: 16 },
  // The same blocks read from workgroup memory as vec4s: 128 × 128 and 64 × 128.
  // Not yet timed on a GPU (added 2026-12-01 on lavapipe, where they lose).
  { shared: { bk: 16 }, vec4: true, tileM: 8, tileN: 8, wgX: 16, wgY: 16 },
  { shared: { bk: 16 }, vec4: true, tileM: 4, tileN: 8, wgX: 16, wgY: 16 },
];

/** Every shader text a tile's kernel is assembled from: what a remembered tuning was measured on (matmul_tuning.ts). */
export const TILE_KERNEL_SOURCES: readonly string[] = [
  matmulDims, matmulShader, matmulSubgroupShader, matmulStore, matmulVec4Shader, matmulVec4SubgroupShader, matmulVec4Store,
  matmulSharedShader, matmulSharedVec4Shader,
];

/** Whether a device can run a tile: its workgroup size, its workgroup memory, and a subgroup size shareA can use. */
export function tileRuns(tile: MatmulTile, ctx: Pick<GpuContext, 'limits' | 'features'>): boolean {
  const { limits, features } = ctx;
  const sharedBytes = tile.shared ? 4 * tile.shared.bk * (tile.wgY * tile.tileM + tile.wgX * tile.tileN) : 0;
  return tile.wgX * tile.wgY <= limits.maxComputeInvocationsPerWorkgroup && sharedBytes <= limits.maxComputeWorkgroupStorageSize &&
    (!tile.shareA || shareASubgroup(tile, features) !== null);
}

/** A tile's shape, as the float tiles here and the int8 ones of quantized_tiles.ts share it. */
export type TileShape = Pick<MatmulTile, 'tileM' | 'tileN' | 'wgX' | 'wgY'>;

/**
 * A product's launch: its tiles (TILE_M × TILE_N per invocation, WG_X × WG_Y
 * invocations) across N, down M and per batch entry, as one flat count folded
 * into workgroups x and y, since any one of the three can pass the 65,535 a
 * dimension allows; `dims` (the tile counts and the batch count) tell the
 * kernel which tile a workgroup takes (shaders/tile_grid.wgsl).
 */
export function tileLaunch(tile: TileShape, m: number, n: number, batch = 1): { groups: [number, number]; dims: [number, number, number] } {
  const tilesX = Math.ceil(n / (tile.wgX * tile.tileN));
  const tilesY = Math.ceil(m / (tile.wgY * tile.tileM));
  const count = tilesX * tilesY * batch;
  return { groups: count === 0 ? [0, 0] : grid(count, 1), dims: [tilesX, tilesY, batch] };
}

/** The subgroup size a shareA tile is built for: the device's fixed one, if it divides a one-row workgroup; else null. */
export function shareASubgroup(tile: TileShape, features: GpuContext['features']): number | null {
  const size = features.subgroupSize;
  return size !== null && tile.wgX % size === 0 && tile.wgY === 1 ? size : null;
}

/** Whether the vec4 kernel can run a product: B row-major, N a multiple of 4. */
export function vec4Eligible(config: MatmulConfig, n: number): boolean {
  return !config.transposeB && n % 4 === 0;
}

/** A tile in words: "vec4 16×8 per invocation, 16×1 workgroup". */
export function describeTile(tile: ProductTile): string {
  if (isMatrixTile(tile)) return describeMatrixProductTile(tile);
  const kind = `${tile.shared ? `workgroup-memory (k slice ${tile.shared.bk}) ` : ''}${tile.vec4 ? 'vec4 ' : ''}${tile.shareA ? 'A shared by subgroup ' : ''}`;
  return `${kind}${tile.tileM}×${tile.tileN} per invocation, ${tile.wgX}×${tile.wgY} workgroup`;
}

/** The subgroup kernels' SG and A_LOADS (rows of A each lane loads), or a clear error where the tile cannot run. */
export function shareADefines(tile: TileShape, features: GpuContext['features']): { SG: number; A_LOADS: number } {
  const size = shareASubgroup(tile, features);
  if (size === null) {
    throw new Error(
      `webgpu matmul: a tile sharing A (or x) across a subgroup needs a one-row workgroup and subgroups of one fixed size dividing its width ${tile.wgX}×${tile.wgY} ` +
        `(this device: ${features.subgroupSize === null ? 'no fixed subgroup size' : `subgroups of ${features.subgroupSize}`})`,
    );
  }
  return { SG: size, A_LOADS: Math.ceil(tile.tileM / size) };
}

/** The sizes of a product: [batch, m, k] × [batch, k, n] → [batch, m, n]; an operand's batch of 1 is shared. */
export interface ProductDims {
  batchA: number;
  batchB: number;
  batch: number;
  m: number;
  n: number;
  k: number;
}

/** A product's sizes from its operands as stored (a transposed operand is read in place). */
export function productDims(a: Operand, b: Operand, config: MatmulConfig): ProductDims {
  const [batchA, a1, a2] = a.shape;
  const [batchB, b1, b2] = b.shape;
  const [m, k] = config.transposeA ? [a2, a1] : [a1, a2];
  const n = config.transposeB ? b1 : b2;
  return { batchA, batchB, batch: Math.max(batchA, batchB), m, n, k };
}

/** The product with a given tile, for tests that check every candidate. */
export function matmulWithTile(rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, accDtype: DType, out: GPUBuffer, tile: ProductTile): void {
  encodeWithTile(rt, a, b, config, accDtype, out, tile, undefined, productDims(a, b, config));
}

/** Records the product on `tile`; `counted` false keeps a timing run out of the dispatch count that tests read. */
export function encodeWithTile(
  rt: Runtime, a: Operand, b: Operand, config: MatmulConfig, accDtype: DType, out: GPUBuffer | BufferWindow, tile: ProductTile,
  epilogue: Epilogue | undefined, d: ProductDims, counted = true,
): void {
  const { features } = rt.ctx;
  const integer = accDtype === 'i32';
  const acc: WgslScalar = integer ? 'i32' : 'f32';
  const value = epilogue?.code.code ?? [`fn value(i: u32) -> ${acc} { return acc_value; }`];
  const types = { In: computeType(a.dtype, features), Acc: acc, Out: computeType(epilogue?.outDtype ?? accDtype, features) };
  let kernel: Kernel;
  let shape: TileShape;
  if (isMatrixTile(tile)) {
    ({ kernel, shape } = matrixProductKernel(rt, tile, value, types));
  } else {
    if (tile.vec4 && !vec4Eligible(config, d.n)) {
      throw new Error(`webgpu matmul: a vec4 tile needs B row-major and N a multiple of 4 (N=${d.n}${config.transposeB ? ', B transposed' : ''})`);
    }
    kernel = tileKernel(rt, tile, value, types);
    shape = tile;
  }
  const launch = tileLaunch(shape, d.m, d.n, d.batch);
  const params = Uint32Array.of(
    d.m, d.n, d.k,
    d.batchA === 1 ? 0 : d.m * d.k, d.batchB === 1 ? 0 : d.k * d.n,
    config.transposeA ? 1 : 0, config.transposeB ? 1 : 0,
    // Outputs per invocation (vec4s for matmul_vec4): see matmul_dims.wgsl.
    !isMatrixTile(tile) && tile.vec4 ? (shape.tileM * shape.tileN) / 4 : shape.tileM * shape.tileN,
    ...launch.dims,
  );
  rt.commands.dispatch(kernel, { a: a.buffer, b: b.buffer, out, dims: params, ...epilogue?.code.buffers }, launch.groups, counted);
}

/** The kernel of one of TILE_CANDIDATES, with the epilogue's `value(i)` and the kernel's types. */
function tileKernel(rt: Runtime, tile: MatmulTile, value: readonly string[], types: { In: WgslScalar; Acc: WgslScalar; Out: WgslScalar }): Kernel {
  const { features } = rt.ctx;
  return tile.vec4 && tile.shared
    ? rt.compiler.kernel({
      name: 'matmul_shared_vec4',
      source: [matmulDims, tileGrid, matmulSharedVec4Shader, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N4: tile.tileN / 4, WG_X: tile.wgX, WG_Y: tile.wgY, BK: tile.shared.bk },
    })
    : tile.vec4 && tile.shareA
    ? rt.compiler.kernel({
      name: 'matmul_vec4_subgroup',
      source: [matmulDims, tileGrid, matmulVec4SubgroupShader, matmulVec4Store, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N4: tile.tileN / 4, ...shareADefines(tile, features) },
      constants: { WG: tile.wgX },
    })
    : tile.vec4
    ? rt.compiler.kernel({
      name: 'matmul_vec4',
      source: [matmulDims, tileGrid, matmulVec4Shader, matmulVec4Store, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N4: tile.tileN / 4 },
      constants: { WG: tile.wgX },
    })
    : tile.shareA
    ? rt.compiler.kernel({
      name: 'matmul_subgroup',
      source: [matmulDims, tileGrid, matmulSubgroupShader, matmulStore, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N: tile.tileN, ...shareADefines(tile, features) },
      constants: { WG_X: tile.wgX },
    })
    : tile.shared
    ? rt.compiler.kernel({
      name: 'matmul_shared',
      source: [matmulDims, tileGrid, matmulSharedShader, matmulStore, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N: tile.tileN, WG_X: tile.wgX, WG_Y: tile.wgY, BK: tile.shared.bk },
    })
    : rt.compiler.kernel({
      name: 'matmul',
      source: [matmulDims, tileGrid, matmulShader, matmulStore, ...value],
      types,
      defines: { TILE_M: tile.tileM, TILE_N: tile.tileN },
      constants: { WG_X: tile.wgX, WG_Y: tile.wgY },
    });
}
