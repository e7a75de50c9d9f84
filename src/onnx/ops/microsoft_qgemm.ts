// QGemm (com.microsoft), the Gemm of onnxruntime's QOperator format:
// A, a_scale, a_zero_point, B, b_scale, b_zero_point, C?, y_scale?,
// y_zero_point?, with alpha, transA and transB. The product (A − a_zp)(B −
// b_zp) is exact in i32 (integer_products.ts says why), C (int32, at scale
// a_scale · b_scale / alpha) is added to it as an integer, and the sum is
// scaled in f32 by alpha · a_scale · b_scale (per column where b_scale is)
// divided by y_scale, each step rounded to f32 as onnxruntime's
// ComputeOutputScale: quantized by y_zero_point's type when y_scale is
// given, a float output when not.
import * as ops from '../../ops/index.js';
import { tensor } from '../../ops/creation.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import { int8Product } from './int8_product.js';
import { integerMatmul, operandType } from './integer_products.js';
import { int8Type, qParams } from './microsoft_qlinear.js';
import type { OnnxOp, OpTable } from './op.js';
import { centered, integerInput, reshaped, saturated } from './quantized.js';

/** b_scale's values: one, or one per column of the N. */
function bScales(call: NodeCall, n: number): number[] {
  const v = call.numbers(4, 'b_scale')!;
  if (v.length !== 1 && v.length !== n) throw call.error(`b_scale (input 4) has ${v.length} values; it must be one (per tensor) or ${n} (per column of B)`);
  return v.map(Math.fround);
}

/** b_zero_point's layout against B as stored ([K, N], or [N, K] with transB): per tensor, or per column of the product. */
function bZeroShape(call: NodeCall, n: number, transB: boolean, scales: number): number[] {
  if (!call.has(5)) return [];
  const size = call.value(5).shape.reduce((a, b) => a * b, 1);
  if (size !== scales) throw call.error(`b_zero_point (input 5) has ${size} values and b_scale ${scales}; ONNX requires them of one shape`);
  return size === 1 ? [] : transB ? [n, 1] : [n];
}

/** C added to the [M, N] accumulator: a scalar, [N], [1, N], [M, 1] or [M, N] int32. */
function plusC(call: NodeCall, acc: Tensor, m: number, n: number): Tensor {
  if (!call.has(6)) return acc;
  integerInput(call, 6, 'C', ['int32']);
  const c = call.tensor(6);
  const fits = c.rank <= 2 && c.shape.every((d, k) => d === 1 || d === [m, n][2 - c.rank + k]);
  if (!fits) throw call.error(`C (input 6) is [${c.shape.join(', ')}]; it must broadcast to the output [${m}, ${n}]`);
  return ops.add(acc, c.dtype === 'i32' ? c : ops.cast(c, 'i32'));
}

/** Bᵀ of a constant B, made once per model (kept by B's identity, so that what int8Product keeps of it is kept too). */
const transposedWeights = new WeakMap<Constant, Constant>();
function transposed(b: Constant): Constant {
  let t = transposedWeights.get(b);
  if (!t) {
    const [rows, cols] = b.shape;
    const data = new Float64Array(b.size);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) data[j * rows + i] = b.data[i * cols + j];
    t = new Constant(b.type, [cols, rows], data);
    transposedWeights.set(b, t);
  }
  return t;
}

/**
 * (A − a_zp)(B − b_zp) as [M, N] i32: a constant B of known type (the
 * weights) through tmnn's int8 product, Bᵀ (PyTorch's Linear exports
 * transB) transposed on the host once; otherwise the exact i32 product of
 * the operands less their zero points.
 */
function product(call: NodeCall, transA: boolean, transB: boolean, zeroShape: number[]): Tensor {
  const B = call.value(3), bZero = call.has(5) ? call.value(5) : undefined;
  const typeA = call.elementType(0) ?? call.elementType(2), typeB = call.elementType(3) ?? (bZero ? call.elementType(5) : undefined);
  const int8 = (t: string | undefined): t is 'uint8' | 'int8' => t === 'uint8' || t === 'int8';
  if (B instanceof Constant && int8(typeA) && int8(typeB) && (bZero === undefined || bZero instanceof Constant)) {
    const a = call.asTensor(call.value(0), 'A');
    return int8Product(call, transA ? ops.transpose(a, [1, 0]) : a, typeA, call.has(2) ? reshaped(call, 2, [], 'a_zero_point') : 0, transB ? transposed(B) : B, typeB, bZero);
  }
  if (!transA && !transB) return integerMatmul(call, [0, 2, 3, 5], [], zeroShape);
  return ops.matmul(centered(call, 0, 2, [], 'A'), centered(call, 3, 5, zeroShape, 'B'), { transposeA: transA, transposeB: transB });
}

const qGemm: OnnxOp = {
  hostInputs: [1, 2, 4, 7, 8],
  run: (call) => {
    int8Type(call, 0, 'A', 2);
    operandType(call, 3, 'B', 5);
    const A = call.value(0), B = call.value(3);
    if (A.shape.length !== 2 || B.shape.length !== 2) throw call.error(`A (input 0) is [${A.shape.join(', ')}] and B (input 3) [${B.shape.join(', ')}]; QGemm multiplies matrices`);
    const transA = call.int('transA', 0) !== 0, transB = call.int('transB', 0) !== 0;
    const [m, k] = transA ? [A.shape[1], A.shape[0]] : A.shape;
    const [kb, n] = transB ? [B.shape[1], B.shape[0]] : B.shape;
    if (k !== kb) throw call.error(`A${transA ? 'ᵀ' : ''} is [${m}, ${k}] and B${transB ? 'ᵀ' : ''} [${kb}, ${n}]; their inner sizes differ`);
    const aq = qParams(call, 1, 2, 'a');
    const scales = bScales(call, n);
    const zeroShape = bZeroShape(call, n, transB, scales.length);
    const acc = plusC(call, product(call, transA, transB, zeroShape), m, n);
    const alpha = Math.fround(call.float('alpha', 1));
    const quantized = call.has(7);
    if (quantized && !call.has(8)) throw call.error(`y_scale (input 7) is given without y_zero_point (input 8); tmnn needs its type (uint8 or int8) to quantize to`);
    const yq = quantized ? qParams(call, 7, 8, 'y') : undefined;
    if (!quantized && call.has(8)) throw call.error(`y_zero_point (input 8) is given without y_scale (input 7)`);
    const multipliers = scales.map((s) => {
      const scale = Math.fround(Math.fround(alpha * aq.scale) * s);
      return yq ? Math.fround(scale / yq.scale) : scale;
    });
    const multiplier = multipliers.length === 1 ? multipliers[0] : tensor(Float32Array.from(multipliers), [n]);
    const y = ops.mul(ops.cast(acc, 'f32'), multiplier);
    if (!yq) return y;
    return saturated(call, y, yq.zeroPoint, int8Type(call, 8, 'y_zero_point', 8));
  },
};

export const MICROSOFT_QGEMM_OPS: OpTable = { QGemm: qGemm };
