// ONNX's integer products: MatMulInteger and ConvInteger ((A − a_zp) times
// (B − b_zp), an int32 result) and their requantizing forms QLinearMatMul
// and QLinearConv (the int32 result scaled by a_scale · b_scale / y_scale,
// rounded half to even, shifted by y_zero_point and saturated).
//
// Exactness: a constant weight matrix takes tmnn's int8 product, shifted
// and corrected (int8_product.ts says why that is exact). Otherwise each
// operand minus its zero point is an exact i32 tensor
// (|v| ≤ 255), and the product is tmnn's i32 × i32 matmul, which
// accumulates in i32 on every backend (the js kernel's Math.imul and |0,
// WGSL i32 arithmetic on webgpu; native hands i32 products to the js
// kernel) — never through f32, whose 24-bit significand would round sums
// past 2^24 (K = 259 products of 255 · 255 already pass it). i32 arithmetic
// wraps modulo 2^32, so the result is exact whenever the true sum fits in
// int32, the range ONNX's int32 output has; onnxruntime accumulates in
// int32 alike. A convolution is the same product over its windows
// gathered (im2col, tmnn's window tables), the padding read as 0 after the
// zero point is subtracted: the zero point itself before, as ONNX pads.
import * as ops from '../../ops/index.js';
import { tensor } from '../../ops/creation.js';
import { gatherOrZero } from '../../ops/movement.js';
import { windowsIn, windowTable } from '../../ops/windows.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { Constant, type ElementType } from '../value.js';
import { int8Product } from './int8_product.js';
import type { OnnxOp, OpTable } from './op.js';
import { centered, floatInput, integerInput, isQuantType, reshaped, saturated, zeroPointType } from './quantized.js';
import { perAxis, windowPads } from './spatial.js';

const INT8S: readonly ElementType[] = ['uint8', 'int8'];

/** The operand's type and its zero point's, checked alike. */
export function operandType(call: NodeCall, i: number, name: string, z: number): ElementType | undefined {
  const type = integerInput(call, i, name, INT8S);
  return zeroPointType(call, z, `${name.toLowerCase()}_zero_point`, type, INT8S);
}

/**
 * A zero point's (or scale's) shape as it broadcasts against its operand:
 * one element is per tensor; a 1-D list of `length` is per row of A
 * ([M, 1]) or per column of B ([N]), per output channel of a weight
 * ([M, 1, …]) — whichever `as` lays it out to.
 */
export function laidOut(call: NodeCall, i: number, name: string, length: number, as: (n: number) => number[], what: string): number[] {
  const shape = call.value(i).shape;
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 1) return [];
  if (shape.length === 1 && size === length) return as(length);
  throw call.error(`${name} (input ${i}) is [${shape.join(', ')}]; it must be a scalar (per tensor) or 1-D of ${length} elements (${what})`);
}

export const perRow = (m: number) => [m, 1];
export const perColumn = (n: number) => [n];

export function rows(shape: readonly number[]): number {
  return shape.length >= 2 ? shape[shape.length - 2] : 1;
}

export function columns(shape: readonly number[]): number {
  return shape.length >= 2 ? shape[shape.length - 1] : 1;
}

const isInt8 = (type: ElementType | undefined): type is 'uint8' | 'int8' => type === 'uint8' || type === 'int8';

/**
 * (A − a_zp)·(B − b_zp) in i32, NumPy's matmul rules. A constant matrix B
 * (weights) of known uint8/int8 types takes tmnn's int8 product
 * (int8_product.ts); otherwise the operands minus their zero points are
 * multiplied as i32 (the header says why either is exact).
 */
export function integerMatmul(call: NodeCall, [a, az, b, bz]: readonly number[], aShape: number[], bShape: number[]): Tensor {
  const A = call.value(a), B = call.value(b);
  if (A.shape.length === 0 || B.shape.length === 0) throw call.error(`its operands must have at least one axis, got [${A.shape.join(', ')}] and [${B.shape.join(', ')}]`);
  // An operand's type, else its zero point's (ONNX makes them alike): a uint8 A reshaped on the way keeps no record, its zero point does.
  const typeOf = (i: number, z: number) => call.elementType(i) ?? (call.has(z) ? call.elementType(z) : undefined);
  const ta = typeOf(a, az), tb = typeOf(b, bz);
  const bZero = call.has(bz) ? call.value(bz) : undefined;
  if (B instanceof Constant && B.shape.length === 2 && isInt8(ta) && isInt8(tb) && (bZero === undefined || bZero instanceof Constant)) {
    const aZero = call.has(az) ? reshaped(call, az, aShape, 'a_zero_point') : 0;
    return int8Product(call, call.asTensor(A, 'A'), ta, aZero, B, tb, bZero);
  }
  return ops.matmul(centered(call, a, az, aShape, 'A'), centered(call, b, bz, bShape, 'B'));
}

/** A float scale laid out as `shape` ([] per tensor), as f32. */
function scale(call: NodeCall, i: number, name: string, shape: readonly number[]): Tensor {
  const s = floatInput(call, i, name);
  const f = s.dtype === 'f32' ? s : ops.cast(s, 'f32');
  return shape.length ? ops.reshape(f, shape) : ops.reshape(f, []);
}

/** A scale and its zero point must have one shape (ONNX). */
function sameShape(call: NodeCall, s: number, z: number, name: string): void {
  const ss = call.value(s).shape, zs = call.value(z).shape;
  if (ss.length !== zs.length || ss.some((d, i) => d !== zs[i])) {
    throw call.error(`${name}_scale (input ${s}) is [${ss.join(', ')}] and ${name}_zero_point (input ${z}) [${zs.join(', ')}]; ONNX requires them of one shape`);
  }
}

/** The output's quantized type, from y_zero_point, which must be known. */
function outputType(call: NodeCall, z: number): 'uint8' | 'int8' {
  const type = zeroPointType(call, z, 'y_zero_point', undefined, INT8S);
  if (!isQuantType(type)) throw call.error(`y_zero_point (input ${z}) is computed on the device as an integer of unknown width; tmnn needs its type (uint8 or int8) to saturate to: give it as an initializer`);
  return type as 'uint8' | 'int8';
}

/** y_scale and y_zero_point are per tensor. */
function outputParameters(call: NodeCall, s: number, z: number): void {
  for (const [i, name] of [[s, 'y_scale'], [z, 'y_zero_point']] as const) {
    if (call.value(i).size !== 1) throw call.error(`${name} (input ${i}) is [${call.value(i).shape.join(', ')}]; the output is quantized per tensor, with one ${name}`);
  }
}

/** An i32 accumulator requantized: saturate(round(acc · multiplier) + y_zero_point), in f32 as onnxruntime's requantization. */
function requantized(call: NodeCall, acc: Tensor, multiplier: Tensor, z: number, type: 'uint8' | 'int8'): Tensor {
  const zp = call.value(z);
  const zeroPoint = zp.shape.length === 0 || zp.size === 1 ? ops.reshape(call.asTensor(zp, 'y_zero_point'), []) : call.asTensor(zp, 'y_zero_point');
  return saturated(call, ops.mul(ops.cast(acc, 'f32'), multiplier), zeroPoint, type);
}

const matMulInteger: OnnxOp = {
  run: (call) => {
    operandType(call, 0, 'A', 2);
    operandType(call, 1, 'B', 3);
    const aShape = call.has(2) ? laidOut(call, 2, 'a_zero_point', rows(call.value(0).shape), perRow, 'per row of A') : [];
    const bShape = call.has(3) ? laidOut(call, 3, 'b_zero_point', columns(call.value(1).shape), perColumn, 'per column of B') : [];
    return integerMatmul(call, [0, 2, 1, 3], aShape, bShape);
  },
};

/**
 * QLinearMatMul's and QLinearConv's inputs checked — an operand, its scale
 * and zero point, the other's three, y_scale and y_zero_point (inputs 0–7) —
 * and the output's quantized type.
 */
function qLinearInputs(call: NodeCall, first: string, second: string): 'uint8' | 'int8' {
  operandType(call, 0, first, 2);
  operandType(call, 3, second, 5);
  sameShape(call, 1, 2, first.toLowerCase());
  sameShape(call, 4, 5, second.toLowerCase());
  outputParameters(call, 6, 7);
  return outputType(call, 7);
}

const qLinearMatMul: OnnxOp = {
  run: (call) => {
    const type = qLinearInputs(call, 'A', 'B');
    const aShape = laidOut(call, 2, 'a_zero_point', rows(call.value(0).shape), perRow, 'per row of a');
    const bShape = laidOut(call, 5, 'b_zero_point', columns(call.value(3).shape), perColumn, 'per column of b');
    const acc = integerMatmul(call, [0, 2, 3, 5], aShape, bShape);
    // onnxruntime's multiplier: (a_scale · b_scale) / y_scale, each step rounded to f32.
    const multiplier = ops.div(ops.mul(scale(call, 1, 'a_scale', aShape), scale(call, 4, 'b_scale', bShape)), scale(call, 6, 'y_scale', []));
    return requantized(call, acc, multiplier, 7, type);
  },
};

/**
 * For a 3-D convolution: for each group, output position and tap (the
 * group's channels, each with the kernel's positions in order), the place
 * in one image [C × D × H × W] its value comes from, or one past the end
 * where the window covers padding (gatherOrZero reads 0 there). 1- and 2-D
 * take the backends' kept 2-D tables (ops/windows.ts).
 */
function volumeTable(sizes: readonly number[], pads: readonly [number, number][], kernel: readonly number[], strides: readonly number[], dilations: readonly number[], out: readonly number[], channels: number, groups: number): Int32Array {
  const [d, h, w] = sizes, [kd, kh, kw] = kernel;
  const outside = channels * d * h * w, perGroup = channels / groups;
  const table = new Int32Array(groups * out[0] * out[1] * out[2] * perGroup * kd * kh * kw);
  const start = (a: number, o: number, k: number) => o * strides[a] + k * dilations[a] - pads[a][0];
  let i = 0;
  for (let g = 0; g < groups; g++) {
    for (let oz = 0; oz < out[0]; oz++) for (let oy = 0; oy < out[1]; oy++) for (let ox = 0; ox < out[2]; ox++) {
      for (let c = g * perGroup; c < (g + 1) * perGroup; c++) {
        for (let z = 0; z < kd; z++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
          const iz = start(0, oz, z), iy = start(1, oy, y), ix = start(2, ox, x);
          table[i++] = iz >= 0 && iz < d && iy >= 0 && iy < h && ix >= 0 && ix < w ? ((c * d + iz) * h + iy) * w + ix : outside;
        }
      }
    }
  }
  return table;
}

/**
 * The i32 convolution of x − x_zp [N, C, …] with W − w_zp [M, C/group, …]
 * over 1, 2 or 3 spatial axes: the windows of x gathered ([N, groups,
 * positions, C/group × taps]), each group's product with its filters.
 */
function integerConv(call: NodeCall, x: Tensor, w: Tensor): Tensor {
  const n = x.rank - 2;
  if (n < 1 || n > 3) throw call.error(`input is [${x.shape.join(', ')}]; tmnn runs 1-, 2- and 3-D ${call.node.opType} ([N, C, L], [N, C, H, W] or [N, C, D, H, W])`);
  if (w.rank !== n + 2) throw call.error(`weight is [${w.shape.join(', ')}]; a ${n}-D ${call.node.opType} needs ${n + 2} axes`);
  const kernel = w.shape.slice(2);
  const given = call.ints('kernel_shape');
  if (given && (given.length !== n || given.some((k, i) => k !== kernel[i]))) throw call.error(`kernel_shape = [${given.join(', ')}] differs from the weight's [${kernel.join(', ')}]`);
  const strides = perAxis(call, 'strides', n, 1), dilations = perAxis(call, 'dilations', n, 1);
  const [batch, channels] = x.shape, filters = w.shape[0];
  const groups = call.int('group', 1);
  if (!Number.isInteger(groups) || groups < 1 || channels % groups || filters % groups || w.shape[1] * groups !== channels) {
    throw call.error(`group = ${groups} does not fit the input's ${channels} channels and the weight [${w.shape.join(', ')}]`);
  }
  const sizes = x.shape.slice(2);
  const pads = windowPads(call, sizes, kernel, strides, dilations);
  let out: number[], table: Int32Array;
  if (n === 3) {
    out = sizes.map((s, a) => Math.floor((s + pads[a][0] + pads[a][1] - dilations[a] * (kernel[a] - 1) - 1) / strides[a]) + 1);
    table = out.every((o) => o >= 1) ? volumeTable(sizes, pads, kernel, strides, dilations, out, channels, groups) : new Int32Array();
  } else {
    // A sequence is an image of height 1 (tmnn's window tables are 2-D).
    const two = <T>(v: readonly T[], flat: T): [T, T] => (n === 1 ? [flat, v[0]] : [v[0], v[1]]);
    const windows = windowsIn(...two(sizes, 1), two(pads, [0, 0] as [number, number]), two(kernel, 1), two(strides, 1), two(dilations, 1));
    out = n === 1 ? [windows.out[1]] : [...windows.out];
    table = out.every((o) => o >= 1) ? windowTable(call.node.opType, windows, channels, groups) : new Int32Array();
  }
  if (out.some((o) => o < 1)) throw call.error(`a ${kernel.join('×')} window does not fit in the input [${x.shape.join(', ')}] padded by [${pads.flat().join(', ')}]`);
  const positions = out.reduce((a, b) => a * b, 1);
  const taps = (channels / groups) * kernel.reduce((a, b) => a * b, 1);
  const values = gatherOrZero(ops.reshape(x, [batch, sizes.reduce((a, b) => a * b, channels)]), tensor(table, [groups, positions, taps], { dtype: 'i32' }), 1);
  const y = ops.matmul(values, ops.reshape(w, [groups, filters / groups, taps]), { transposeB: true });
  return ops.reshape(ops.transpose(y, [0, 1, 3, 2]), [batch, filters, ...out]);
}

/** A per-output-channel value's shape against a weight of `rank` axes: [M, 1, …]. */
const perFilter = (m: number, rank: number) => [m, ...new Array<number>(rank - 1).fill(1)];

/** The per-tensor x zero point, and W's per tensor or per output channel, checked; x − x_zp and W − w_zp. */
function convOperands(call: NodeCall, [x, xz, w, wz]: readonly number[]): [Tensor, Tensor] {
  const xv = call.value(x), wv = call.value(w);
  if (call.has(xz) && call.value(xz).size !== 1) throw call.error(`x_zero_point (input ${xz}) is [${call.value(xz).shape.join(', ')}]; the input is quantized per tensor, with one zero point`);
  const wShape = call.has(wz) ? laidOut(call, wz, 'w_zero_point', wv.shape[0], (m) => perFilter(m, wv.shape.length), 'per output channel') : [];
  if (xv.shape.length < 3) throw call.error(`input is [${xv.shape.join(', ')}]; tmnn runs 1-, 2- and 3-D ${call.node.opType} ([N, C, L], [N, C, H, W] or [N, C, D, H, W])`);
  return [centered(call, x, xz, [], 'x'), centered(call, w, wz, wShape, 'w')];
}

const convInteger: OnnxOp = {
  run: (call) => {
    operandType(call, 0, 'X', 2);
    operandType(call, 1, 'W', 3);
    return integerConv(call, ...convOperands(call, [0, 2, 1, 3]));
  },
};

const qLinearConv: OnnxOp = {
  run: (call) => {
    const type = qLinearInputs(call, 'X', 'W');
    const [x, w] = convOperands(call, [0, 2, 3, 5]);
    let acc = integerConv(call, x, w);
    const filters = w.shape[0];
    const channel = [1, filters, ...Array(acc.rank - 2).fill(1)];
    if (call.has(8)) {
      const bias = call.value(8);
      if (integerInput(call, 8, 'B', ['int32']) === undefined && bias.shape.length !== 1) throw call.error(`B (input 8) must be 1-D int32`);
      if (bias.shape.length !== 1 || bias.shape[0] !== filters) throw call.error(`B (input 8) is [${bias.shape.join(', ')}]; it must be 1-D of the ${filters} output channels`);
      acc = ops.add(acc, ops.reshape(ops.cast(call.tensor(8), 'i32'), channel));
    }
    const wShape = call.value(4).size === 1 ? [] : channel;
    const multiplier = ops.div(ops.mul(scale(call, 1, 'x_scale', []), scale(call, 4, 'w_scale', wShape)), scale(call, 6, 'y_scale', []));
    return requantized(call, acc, multiplier, 7, type);
  },
};

export const INTEGER_PRODUCT_OPS: OpTable = {
  MatMulInteger: matMulInteger,
  ConvInteger: convInteger,
  QLinearMatMul: qLinearMatMul,
  QLinearConv: qLinearConv,
};
