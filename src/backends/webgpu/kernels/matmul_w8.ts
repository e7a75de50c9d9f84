// The f16 way of a product with a tm.quantize weight (shaders/matmul_w8.wgsl):
// float activations [M, K] times the int8 weight [N, K] and its
// scales, the weight turned into floats in registers — never written out as a
// float tensor — and summed in f32. quantized_path.ts times it against the
// int8 way (matmul_int8.ts) per device.
import matmulW8Shader from '../../../../shaders/matmul_w8.wgsl';
import { computeType } from '../layout.js';
import type { Operand, Runtime } from '../runtime.js';

const TILE = { tileM: 4, tileN: 4, wgX: 8, wgY: 8 };

/** out (f32 [M, N]) = x · dequantize(w, scales) for x [M, K], w [N, K]; `counted` false keeps a timing run out of the dispatch count. */
export function matmulW8(rt: Runtime, x: Operand, w: Operand, scales: Operand, out: GPUBuffer, counted = true): void {
  const [m, k] = x.shape;
  const n = w.shape[0];
  const kernel = rt.compiler.kernel({
    name: 'matmul_w8',
    source: matmulW8Shader,
    types: { In: computeType(x.dtype, rt.ctx.features) },
    defines: { TILE_M: TILE.tileM, TILE_N: TILE.tileN },
    constants: { WG_X: TILE.wgX, WG_Y: TILE.wgY },
  });
  const params = Uint32Array.of(m, n, k, 0);
  const groups: [number, number, number] = [Math.ceil(n / (TILE.wgX * TILE.tileN)), Math.ceil(m / (TILE.wgY * TILE.tileM)), 1];
  rt.commands.dispatch(kernel, { x: x.buffer, w: w.buffer, scales: scales.buffer, out, dims: params }, groups, counted);
}
