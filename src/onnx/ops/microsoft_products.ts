// onnxruntime's fused products (com.microsoft): FusedMatMul (MatMul with
// transposes of the last two axes and a scale), and the quantized products
// its dynamic quantization writes — MatMulIntegerToFloat ((A − a_zp)(B −
// b_zp)·a_scale·b_scale + bias) and DynamicQuantizeMatMul (the same with A
// quantized to uint8 at run time from its own range, as
// DynamicQuantizeLinear). The integer products are exact (integer_products.ts
// and int8_product.ts say why); one f32 product scales them, as
// onnxruntime's a_scale·b_scale multiplier.
import { dynamicQuantizeUint8 } from '../../ops/quantize_uint8.js';
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { Constant } from '../value.js';
import { int8Product } from './int8_product.js';
import { columns, integerMatmul, laidOut, operandType, perColumn } from './integer_products.js';
import { matmul } from './matmul.js';
import type { OnnxOp, OpTable } from './op.js';
import { centered, floatInput } from './quantized.js';

const fusedMatMul: OnnxOp = {
  run: (call) => {
    call.refuse('transBatchA', (v) => v === 0, 'tmnn transposes only the last two axes (transA)');
    call.refuse('transBatchB', (v) => v === 0, 'tmnn transposes only the last two axes (transB)');
    const a = call.tensor(0), b = call.tensor(1);
    const transA = call.int('transA', 0) !== 0, transB = call.int('transB', 0) !== 0;
    if ((transA && a.rank < 2) || (transB && b.rank < 2)) throw call.error(`transA/transB transpose the last two axes; a 1-D operand has one (A [${a.shape.join(', ')}], B [${b.shape.join(', ')}])`);
    // The transposes go to the matmul kernel as flags: no copies.
    const y = transA || transB ? ops.matmul(a, b, { transposeA: transA, transposeB: transB }) : matmul(call, a, b);
    const alpha = call.float('alpha', 1);
    return alpha === 1 ? y : ops.mul(y, alpha);
  },
};

/** Input i, a scale or zero point of A, which must be one value: A is quantized per tensor. */
export function perTensor(call: NodeCall, i: number, name: string): void {
  if (call.has(i) && call.value(i).size !== 1) {
    throw call.error(`${name} (input ${i}) is [${call.value(i).shape.join(', ')}]; tmnn takes A quantized per tensor (one ${name}): a scale per column of A would scale terms inside each sum`);
  }
}

/** A float scale as f32, laid out as `shape` ([] per tensor). */
export function f32Scale(call: NodeCall, i: number, name: string, shape: readonly number[]): Tensor {
  const s = floatInput(call, i, name);
  return ops.reshape(s.dtype === 'f32' ? s : ops.cast(s, 'f32'), shape);
}

/** acc (i32) · multiplier (+ bias, 1-D over the columns), as f32 (f16 when `half`). */
export function scaled(call: NodeCall, acc: Tensor, multiplier: Tensor, bias: number, half: boolean): Tensor {
  let y = ops.mul(ops.cast(acc, 'f32'), multiplier);
  if (call.has(bias)) {
    const b = call.tensor(bias), n = acc.shape[acc.rank - 1];
    if (b.rank !== 1 || b.shape[0] !== n) throw call.error(`bias (input ${bias}) is [${b.shape.join(', ')}]; it must be 1-D of B's ${n} columns`);
    y = ops.add(y, b.dtype === 'f32' ? b : ops.cast(b, 'f32'));
  }
  return half ? ops.cast(y, 'f16') : y;
}

/** B's scale (input s) and zero point (input z): per tensor or per column of B; the zero point's layout. `b` names B in messages. */
export function bLayout(call: NodeCall, s: number, z: number, b = 'b'): { scale: number[]; zeroPoint: number[] } {
  const n = columns(call.value(1).shape);
  const what = `per column of ${b === 'b' ? 'B' : b}`;
  return {
    scale: laidOut(call, s, `${b}_scale`, n, perColumn, what),
    zeroPoint: call.has(z) ? laidOut(call, z, `${b}_zero_point`, n, perColumn, what) : [],
  };
}

/** MatMulIntegerToFloat: A, B, a_scale, b_scale, a_zero_point?, b_zero_point?, bias?. */
const matMulIntegerToFloat: OnnxOp = {
  run: (call) => {
    operandType(call, 0, 'A', 4);
    operandType(call, 1, 'B', 5);
    perTensor(call, 2, 'a_scale');
    perTensor(call, 4, 'a_zero_point');
    const layout = bLayout(call, 3, 5);
    const acc = integerMatmul(call, [0, 4, 1, 5], [], layout.zeroPoint);
    const multiplier = ops.mul(f32Scale(call, 2, 'a_scale', []), f32Scale(call, 3, 'b_scale', layout.scale));
    return scaled(call, acc, multiplier, 6, call.tensor(2).dtype === 'f16');
  },
};

/**
 * (Aq − a_zp)(B − b_zp) for A quantized at run time (i32 holding uint8,
 * a_zp a scalar tensor): a constant 2-D B of known type takes the int8
 * product, any other the exact i32 product of the operands less their zero points.
 */
function quantizedProduct(call: NodeCall, aq: Tensor, aZero: Tensor, bZeroShape: number[]): Tensor {
  const B = call.value(1), bZero = call.has(3) ? call.value(3) : undefined;
  const type = call.elementType(1) ?? (bZero ? call.elementType(3) : undefined);
  if (B instanceof Constant && B.shape.length === 2 && (type === 'uint8' || type === 'int8') && (bZero === undefined || bZero instanceof Constant)) {
    return int8Product(call, aq, 'uint8', aZero, B, type, bZero);
  }
  return ops.matmul(ops.sub(aq, aZero), centered(call, 1, 3, bZeroShape, 'B'));
}

/** DynamicQuantizeMatMul: A (float), B, b_scale, b_zero_point?, bias?. */
const dynamicQuantizeMatMul: OnnxOp = {
  run: (call) => {
    const a = floatInput(call, 0, 'A');
    operandType(call, 1, 'B', 3);
    if (call.value(1).shape.length < 2) throw call.error(`B (input 1) is [${call.value(1).shape.join(', ')}]; it must be a matrix (or a batch of them)`);
    const layout = bLayout(call, 2, 3);
    const [aq, aScale, aZero] = dynamicQuantizeUint8(a);
    const acc = quantizedProduct(call, aq, aZero, layout.zeroPoint);
    return scaled(call, acc, ops.mul(aScale, f32Scale(call, 2, 'b_scale', layout.scale)), 4, false);
  },
};

export const MICROSOFT_PRODUCT_OPS: OpTable = {
  FusedMatMul: fusedMatMul,
  MatMulIntegerToFloat: matMulIntegerToFloat,
  DynamicQuantizeMatMul: dynamicQuantizeMatMul,
};
