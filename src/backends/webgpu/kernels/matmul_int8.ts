// Exact int8 products on the GPU straight from packed words: A [batch, M, K]
// times Bᵀ with B stored [batch, N, K], the layout of a tm.quantize weight.
// Two ways to sum four byte products — dot4I8Packed (WGSL's
// packed_4x8_integer_dot_product) or bytes extracted as each word is loaded —
// on each of the tiles of quantized_tiles.ts. Which is fastest differs by
// adapter: on some GPUs the builtin is one instruction, on others (and on CPU
// rasterisers) it is lowered to much the same code, and where loads are dear
// the shared-A tiles win. Where the device has subgroup matrices of int8
// (tensor cores, under Dawn's allow_unsafe_apis: device.ts), a third way
// runs the product on them (matmul_int8_matrix.ts). The first product a
// device runs times every (way, tile) pair the device can run and keeps the
// fastest, remembered per adapter between processes (measured_choice.ts).
import type { MatmulConfig } from '../../kernels.js';
import dot4Packed from '../../../../shaders/dot4_packed.wgsl';
import dot4Unpacked from '../../../../shaders/dot4_unpacked.wgsl';
import matmulInt8Shader from '../../../../shaders/matmul_int8.wgsl';
import matmulInt8SubgroupShader from '../../../../shaders/matmul_int8_subgroup.wgsl';
import matmulInt8Io from '../../../../shaders/matmul_int8_io.wgsl';
import matmulStore from '../../../../shaders/matmul_store.wgsl';
import tileGrid from '../../../../shaders/tile_grid.wgsl';
import type { Kernel } from '../compiler.js';
import type { GpuContext } from '../device.js';
import { computeType } from '../layout.js';
import { measuredChoice } from '../measured_choice.js';
import type { Operand, Runtime } from '../runtime.js';
import { fastest, withScratchBuffers } from '../timing.js';
import { fingerprint } from '../tuning_store.js';
import { shareADefines, tileLaunch, type Epilogue } from './matmul_kernel.js';
import { int8MatrixKernel, MATRIX_SOURCES, matrixTileRuns, type Int8KernelEnd } from './matmul_int8_matrix.js';
import { describeMatrixTile, MATRIX_TILES, type MatrixTile } from './matrix_tiles.js';
import { describeQuantizedTile, parseQuantizedTile, QUANTIZED_TILES, quantizedTileRuns, SQUARE_TILE, type QuantizedTile } from './quantized_tiles.js';

export type Int8Path = 'dot4I8Packed' | 'unpacked' | 'subgroupMatrix';

/** How a device runs int8 products: the way products are summed, and the tile. */
export type Int8Kernel = { path: 'dot4I8Packed' | 'unpacked'; tile: QuantizedTile } | { path: 'subgroupMatrix'; tile: MatrixTile };

/** Whether this product can run on the packed kernel: K contiguous in both operands. */
export function int8Eligible(config: MatmulConfig): boolean {
  return !config.transposeA && config.transposeB;
}

export function describeInt8Kernel(kernel: Int8Kernel): string {
  return `${kernel.path}, ${describeInt8Tile(kernel)}`;
}

/** The tile of a kernel in words. */
export function describeInt8Tile(kernel: Int8Kernel): string {
  return kernel.path === 'subgroupMatrix' ? describeMatrixTile(kernel.tile) : describeQuantizedTile(kernel.tile);
}

/** Every (way, tile) pair a device can run. */
export function int8Candidates(ctx: Pick<GpuContext, 'features' | 'limits'>): Int8Kernel[] {
  const { features } = ctx;
  const paths = features.dot4I8Packed ? (['dot4I8Packed', 'unpacked'] as const) : (['unpacked'] as const);
  const scalar = paths.flatMap((path) => QUANTIZED_TILES.filter((tile) => quantizedTileRuns(tile, features)).map((tile) => ({ path, tile })));
  const matrix = MATRIX_TILES.filter((tile) => matrixTileRuns(tile, ctx)).map((tile) => ({ path: 'subgroupMatrix' as const, tile }));
  return [...scalar, ...matrix];
}

export interface Int8Options {
  /** The kernel to run (tests run each); by default the device's measured one. */
  kernel?: Int8Kernel;
  /** A fused elementwise chain that consumes the i32 sums (the int8 way scaling them back to floats), stored instead of them. */
  epilogue?: Epilogue;
  /** false keeps a timing run out of the dispatch count that tests read. */
  counted?: boolean;
}

/** out = a · bᵀ in i32 (or the epilogue's values of it), from operands of packed int8. */
export function matmulInt8(rt: Runtime, a: Operand, b: Operand, out: GPUBuffer, options: Int8Options = {}): void {
  // Until the measurement is in: the square tile, through the builtin where the adapter has it.
  const kernel = options.kernel ?? choice.current(rt, { path: rt.ctx.features.dot4I8Packed ? 'dot4I8Packed' : 'unpacked', tile: SQUARE_TILE });
  encode(rt, a, b, out, kernel, options.epilogue, options.counted ?? true);
}

/** Records the product on one kernel: every way takes the same bindings, dims and launch of its tiles. */
function encode(rt: Runtime, a: Operand, b: Operand, out: GPUBuffer, chosen: Int8Kernel, epilogue: Epilogue | undefined, counted: boolean): void {
  const [batchA, m, k] = a.shape;
  const [batchB, n] = b.shape;
  const end: Int8KernelEnd = {
    value: epilogue?.code.code ?? ['fn value(i: u32) -> i32 { return acc_value; }'],
    types: { Acc: 'i32', Out: computeType(epilogue?.outDtype ?? 'i32', rt.ctx.features) },
  };
  const { kernel, shape } = chosen.path === 'subgroupMatrix' ? int8MatrixKernel(rt, chosen.tile, end) : { kernel: scalarKernel(rt, chosen, end), shape: chosen.tile };
  const launch = tileLaunch(shape, m, n, Math.max(batchA, batchB));
  const params = Uint32Array.of(m, n, k, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : n * k, shape.tileM * shape.tileN, ...launch.dims);
  rt.commands.dispatch(kernel, { a: a.buffer, b: b.buffer, out, dims: params, ...epilogue?.code.buffers }, launch.groups, counted);
}

/** The kernels that sum four byte products at a time (matmul_int8.wgsl, matmul_int8_subgroup.wgsl). */
function scalarKernel(rt: Runtime, { path, tile }: { path: 'dot4I8Packed' | 'unpacked'; tile: QuantizedTile }, { value, types }: Int8KernelEnd): Kernel {
  const dot4 = path === 'dot4I8Packed' ? dot4Packed : dot4Unpacked;
  const tail = [matmulInt8Io, tileGrid, dot4, matmulStore, ...value];
  return tile.shareA
    ? rt.compiler.kernel({
        name: 'matmul_int8_subgroup',
        source: [matmulInt8SubgroupShader, ...tail],
        types,
        defines: { TILE_M: tile.tileM, TILE_N: tile.tileN, ...shareADefines(tile, rt.ctx.features) },
        constants: { WG_X: tile.wgX },
      })
    : rt.compiler.kernel({
        name: 'matmul_int8',
        source: [matmulInt8Shader, ...tail],
        types,
        defines: { TILE_M: tile.tileM, TILE_N: tile.tileN },
        constants: { WG_X: tile.wgX, WG_Y: tile.wgY },
      });
}

/** What an earlier run may have stored: a way and a tile that are still candidates. */
function parseKernel(stored: unknown): Int8Kernel | undefined {
  if (!stored || typeof stored !== 'object') return undefined;
  const { path, tile } = stored as Record<string, unknown>;
  if (path === 'subgroupMatrix') {
    const known = MATRIX_TILES.find((t) => JSON.stringify(t) === JSON.stringify(tile));
    return known ? { path, tile: known } : undefined;
  }
  const known = parseQuantizedTile(tile);
  return (path === 'dot4I8Packed' || path === 'unpacked') && known ? { path, tile: known } : undefined;
}

/** What the choice depends on: a change to any of it times the candidates again. */
export const INT8_MEASURED = fingerprint(
  matmulInt8Shader, matmulInt8SubgroupShader, matmulInt8Io, matmulStore, dot4Packed, dot4Unpacked, ...MATRIX_SOURCES,
  JSON.stringify(QUANTIZED_TILES), JSON.stringify(MATRIX_TILES),
);

const choice = measuredChoice('int8-kernel', INT8_MEASURED, parseKernel, timeCandidates);

/** This device's kernel if chosen, else what an earlier process measured on the adapter; nothing is timed. */
export const knownInt8Kernel = choice.known;
/** Times every candidate on this device once (or recalls an earlier process's timing) and keeps the fastest. */
export const measureInt8Kernel = choice.measure;
/** Sets the kernel this device's products use, overriding the measurement (tests run each this way). */
export const useInt8Kernel = choice.use;
/** Takes what an earlier process measured on the adapter as this device's choice (a new backend does). */
export const preloadInt8Kernel = choice.preload;

/** The fastest candidate on a [256, 512] × [512, 512] product, in alternating rounds (timing.ts). */
function timeCandidates(rt: Runtime): Promise<Int8Kernel> {
  const [m, n, k] = [256, 512, 512];
  return withScratchBuffers(rt, [m * k, n * k, 4 * m * n], ([a, b, out]) => {
    const [x, w]: Operand[] = [{ buffer: a, shape: [1, m, k], dtype: 'i8' }, { buffer: b, shape: [1, n, k], dtype: 'i8' }];
    return fastest(rt, int8Candidates(rt.ctx), (c) => () => encode(rt, x, w, out, c, undefined, false), 3);
  });
}
