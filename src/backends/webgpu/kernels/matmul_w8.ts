// The f16 way of a product with a tm.quantize weight (shaders/matmul_w8.wgsl,
// shaders/matmul_w8_subgroup.wgsl): activations [M, K] in f16 precision (f32
// ones rounded as the kernel loads them) times the int8 weight [N, K] and its
// scales, the weight turned into floats in registers —
// never written out as a float tensor — and summed in f32. The tile (one of
// quantized_tiles.ts) is timed per device on first use; quantized_path.ts
// then times this way against the int8 way (matmul_int8.ts).
import elementwiseLib from '../../../../shaders/elementwise_lib.wgsl';
import matmulW8Shader from '../../../../shaders/matmul_w8.wgsl';
import matmulW8Io from '../../../../shaders/matmul_w8_io.wgsl';
import matmulW8SubgroupShader from '../../../../shaders/matmul_w8_subgroup.wgsl';
import tileGrid from '../../../../shaders/tile_grid.wgsl';
import { computeType } from '../layout.js';
import { measuredChoice } from '../measured_choice.js';
import type { Operand, Runtime } from '../runtime.js';
import { fastest, withScratchBuffers } from '../timing.js';
import { fingerprint } from '../tuning_store.js';
import { shareADefines, tileLaunch } from './matmul_kernel.js';
import { parseQuantizedTile, QUANTIZED_TILES, quantizedTileRuns, SQUARE_TILE, type QuantizedTile } from './quantized_tiles.js';

/**
 * out (f32 [M, N]) = f16(x) · dequantize(w, scales) for x [M, K] (f32 or
 * f16), w [N, K]; `counted` false keeps a timing run out of the dispatch count.
 */
export function matmulW8(rt: Runtime, x: Operand, w: Operand, scales: Operand, out: GPUBuffer, tile?: QuantizedTile, counted = true): void {
  const [m, k] = x.shape;
  const n = w.shape[0];
  const t = tile ?? choice.current(rt, SQUARE_TILE);
  const common = {
    types: { In: computeType(x.dtype, rt.ctx.features) },
    source: [t.shareA ? matmulW8SubgroupShader : matmulW8Shader, matmulW8Io, tileGrid, elementwiseLib],
  };
  // f16 stored (or widened from f16, exact) needs no rounding; f32 is rounded to f16 as loaded.
  const defines = { TILE_M: t.tileM, TILE_N: t.tileN, ROUND_X: x.dtype === 'f32' };
  const kernel = t.shareA
    ? rt.compiler.kernel({ name: 'matmul_w8_subgroup', ...common, defines: { ...defines, ...shareADefines(t, rt.ctx.features) }, constants: { WG_X: t.wgX } })
    : rt.compiler.kernel({ name: 'matmul_w8', ...common, defines, constants: { WG_X: t.wgX, WG_Y: t.wgY } });
  const launch = tileLaunch(t, m, n);
  const params = Uint32Array.of(m, n, k, ...launch.dims);
  rt.commands.dispatch(kernel, { x: x.buffer, w: w.buffer, scales: scales.buffer, out, dims: params }, launch.groups, counted);
}

/** What the choice depends on: a change to any of it times the tiles again. */
export const W8_MEASURED = fingerprint(matmulW8Shader, matmulW8SubgroupShader, matmulW8Io, JSON.stringify(QUANTIZED_TILES));

const choice = measuredChoice('w8-tile', W8_MEASURED, parseQuantizedTile, timeTiles);

/** This device's tile if chosen, else what an earlier process measured on the adapter; nothing is timed. */
export const knownW8Tile = choice.known;
/** Times every tile the device runs once (or recalls an earlier process's timing) and keeps the fastest. */
export const measureW8Tile = choice.measure;
/** Sets the tile this device's products use, overriding the measurement; null gives it back (tests and checks run each this way). */
export const useW8Tile = choice.use;
/** Takes what an earlier process measured on the adapter as this device's choice (a new backend does). */
export const preloadW8Tile = choice.preload;

/** The fastest tile on a [256, 512] × [512, 512] product with f32 activations (as most are), in alternating rounds (timing.ts). */
function timeTiles(rt: Runtime): Promise<QuantizedTile> {
  const [m, n, k] = [256, 512, 512];
  return withScratchBuffers(rt, [4 * m * k, n * k, 4 * n, 4 * m * n], ([x, w, scales, out]) => {
    const tiles = QUANTIZED_TILES.filter((tile) => quantizedTileRuns(tile, rt.ctx.features));
    const operands: [Operand, Operand, Operand] = [{ buffer: x, shape: [m, k], dtype: 'f32' }, { buffer: w, shape: [n, k], dtype: 'i8' }, { buffer: scales, shape: [n], dtype: 'f32' }];
    return fastest(rt, tiles, (tile) => () => matmulW8(rt, ...operands, out, tile, false), 3);
  });
}
