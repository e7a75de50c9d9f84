// onnxruntime's QOperator ops (com.microsoft), which its static quantizer
// writes with quant_format=QOperator: each takes uint8 or int8 tensors with
// a scale and zero point per tensor and gives one of the same type, the
// value dequantized, computed on in float and quantized again
// (saturate(round(v / y_scale) + y_zero_point), halves to even), as
// onnxruntime's CPU kernels do:
// - QLinearSigmoid, QLinearLeakyRelu, and QLinearConcat/QLinearWhere's
//   change of scale: a function of one 8-bit value, so a 256-entry table
//   made on the host (each step rounded to f32 as onnxruntime's table) and
//   looked up on the device: the same integers on every backend;
// - QLinearAdd, QLinearMul: (a − a_zp)·a_scale/c_scale ± … in f32;
// - QLinearGlobalAveragePool: the exact i32 sum of each channel, scaled by
//   x_scale / (y_scale · n) in f32;
// - QLinearAveragePool, QLinearSoftmax: the float op on the dequantized input.
// The scales and zero points are read on the host (hostInputs): the
// quantizer writes them as initializers.
import * as ops from '../../ops/index.js';
import { tensor } from '../../ops/creation.js';
import { roundHalfEven } from '../../round.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { operandType } from './integer_products.js';
import type { OnnxOp, OpTable } from './op.js';
import { averagePoolOf } from './pool.js';
import { axisOf, QUANT_RANGES, saturated } from './quantized.js';

export type Int8Type = 'uint8' | 'int8';

/** A tensor's quantization: one scale (rounded to f32) and one zero point. */
export interface QParams {
  scale: number;
  zeroPoint: number;
}

/** Input i's 8-bit type, or its zero point's (input z): known, and alike. */
export function int8Type(call: NodeCall, i: number, name: string, z: number): Int8Type {
  const type = operandType(call, i, name, z);
  if (type !== 'uint8' && type !== 'int8') throw call.error(`${name} (input ${i}) is an integer computed on the device of unknown width and has no zero point to say which; tmnn needs to know whether it is uint8 or int8: give the zero point as an initializer`);
  return type;
}

/** One number of input i, read on the host; `fallback` when the input is left out. */
function hostScalar(call: NodeCall, i: number, name: string, fallback?: number): number {
  const v = call.numbers(i, name);
  if (v === undefined) {
    if (fallback === undefined) throw call.error(`${name} (input ${i}) is required`);
    return fallback;
  }
  if (v.length !== 1) throw call.error(`${name} (input ${i}) has ${v.length} values; ${call.node.opType} quantizes per tensor, with one ${name}`);
  return v[0];
}

/** Scale (input s) and zero point (input z, optional: 0) of a tensor called `name`. */
export function qParams(call: NodeCall, s: number, z: number, name: string): QParams {
  const scale = Math.fround(hostScalar(call, s, `${name}_scale`));
  if (!(scale > 0) || !Number.isFinite(scale)) throw call.error(`${name}_scale (input ${s}) is ${scale}; a scale must be positive and finite`);
  return { scale, zeroPoint: hostScalar(call, z, `${name}_zero_point`, 0) };
}

/** v (f32) quantized as onnxruntime's MlasQuantizeLinear: v / scale in f32, rounded half to even, shifted, saturated. */
function quantizeF32(v: number, y: QParams, type: Int8Type): number {
  const [lo, hi] = QUANT_RANGES[type];
  return Math.min(hi, Math.max(lo, roundHalfEven(Math.fround(v / y.scale)) + y.zeroPoint));
}

/** f of each 8-bit value dequantized (x_scale · (v − x_zp) in f32), quantized by y: 256 entries, from the type's lowest value. */
function lookupTable(type: Int8Type, x: QParams, y: QParams, f: (v: number) => number): Int32Array {
  const lo = QUANT_RANGES[type][0];
  return Int32Array.from({ length: 256 }, (_, k) => quantizeF32(Math.fround(f(Math.fround(x.scale * (k + lo - x.zeroPoint)))), y, type));
}

function asI32(t: Tensor): Tensor {
  return t.dtype === 'i32' ? t : ops.cast(t, 'i32');
}

/** x (8-bit values of `type`) through a 256-entry table. */
function lookUp(call: NodeCall, x: Tensor, type: Int8Type, table: Int32Array): Tensor {
  const lo = QUANT_RANGES[type][0];
  const index = lo === 0 ? asI32(x) : ops.sub(asI32(x), lo);
  return call.typed(ops.gather(tensor(table, [256], { dtype: 'i32' }), index, 0), type);
}

/** x requantized from x's parameters to y's (the identity in float): unchanged where they are the same. */
function requantize(call: NodeCall, x: Tensor, type: Int8Type, xq: QParams, yq: QParams): Tensor {
  if (xq.scale === yq.scale && xq.zeroPoint === yq.zeroPoint) return call.typed(x, type);
  return lookUp(call, x, type, lookupTable(type, xq, yq, (v) => v));
}

/** x − zero point as exact f32 (|v| ≤ 510). */
function centeredF32(x: Tensor, zeroPoint: number): Tensor {
  const f = ops.cast(x, 'f32');
  return zeroPoint === 0 ? f : ops.sub(f, zeroPoint);
}

/** A one-input op f on 8-bit values through its table: X, X_scale, X_zero_point?, Y_scale, Y_zero_point?. */
function tableOp(f: (call: NodeCall) => (v: number) => number): OnnxOp {
  return {
    hostInputs: [1, 2, 3, 4],
    run: (call) => {
      const type = int8Type(call, 0, 'X', 2);
      checkSameType(call, 4, 'Y_zero_point', type);
      return lookUp(call, call.tensor(0), type, lookupTable(type, qParams(call, 1, 2, 'X'), qParams(call, 3, 4, 'Y'), f(call)));
    },
  };
}

/** A zero point (input z) of the output: of the input's type. */
function checkSameType(call: NodeCall, z: number, name: string, type: Int8Type): void {
  if (!call.has(z)) return;
  const t = call.elementType(z);
  if (t !== undefined && t !== type) throw call.error(`${name} (input ${z}) is ${t} but the input is ${type}; ${call.node.opType} gives its input's type`);
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

/** QLinearAdd and QLinearMul: A, A_scale, A_zero_point?, B, B_scale, B_zero_point?, C_scale, C_zero_point?; NumPy broadcasting. */
function binaryOp(combine: (a: Tensor, b: Tensor, aq: QParams, bq: QParams, cq: QParams) => Tensor): OnnxOp {
  return {
    hostInputs: [1, 2, 4, 5, 6, 7],
    run: (call) => {
      const type = int8Type(call, 0, 'A', 2);
      const tb = int8Type(call, 3, 'B', 5);
      if (tb !== type) throw call.error(`A (input 0) is ${type} and B (input 3) ${tb}; ${call.node.opType} takes both of one type`);
      checkSameType(call, 7, 'C_zero_point', type);
      const [aq, bq, cq] = [qParams(call, 1, 2, 'A'), qParams(call, 4, 5, 'B'), qParams(call, 6, 7, 'C')];
      return saturated(call, combine(call.tensor(0), call.tensor(3), aq, bq, cq), cq.zeroPoint, type);
    },
  };
}

// (a − a_zp)·(a_scale / c_scale) + (b − b_zp)·(b_scale / c_scale), the ratios in f32 as onnxruntime's.
const qLinearAdd = binaryOp((a, b, aq, bq, cq) =>
  ops.add(ops.mul(centeredF32(a, aq.zeroPoint), Math.fround(aq.scale / cq.scale)), ops.mul(centeredF32(b, bq.zeroPoint), Math.fround(bq.scale / cq.scale))),
);

// (a − a_zp)(b − b_zp) (exact in f32: |·| ≤ 255²) · (a_scale · b_scale / c_scale).
const qLinearMul = binaryOp((a, b, aq, bq, cq) => ops.mul(ops.mul(centeredF32(a, aq.zeroPoint), centeredF32(b, bq.zeroPoint)), Math.fround(Math.fround(aq.scale * bq.scale) / cq.scale)));

/** NHWC → NCHW (channels_last = 1), and back. */
function channelsFirst(x: Tensor): Tensor {
  return ops.transpose(x, [0, x.rank - 1, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 1)]);
}
function channelsLast(x: Tensor): Tensor {
  return ops.transpose(x, [0, ...Array.from({ length: x.rank - 2 }, (_, i) => i + 2), 1]);
}

/** The input [N, C, spatial…] (or [N, spatial…, C] with channels_last), as NCHW. */
function poolInput(call: NodeCall): { x: Tensor; last: boolean } {
  const x = call.tensor(0);
  if (x.rank < 3) throw call.error(`X is [${x.shape.join(', ')}]; it needs [N, C, spatial…] (or [N, spatial…, C] with channels_last)`);
  const last = call.int('channels_last', 0) !== 0;
  return { x: last ? channelsFirst(x) : x, last };
}

/**
 * QLinearGlobalAveragePool: X, x_scale, x_zero_point, y_scale,
 * y_zero_point. Each channel's i32 sum less n·x_zp (exact), times
 * x_scale / (y_scale · n) in f32, as onnxruntime's MlasQLinearGlobalAveragePool.
 */
const qLinearGlobalAveragePool: OnnxOp = quantizedPool((_, x, xq, yq) => {
  const spatial = Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
  const n = x.shape.slice(2).reduce((a, b) => a * b, 1);
  const sum = ops.sum(asI32(x), spatial, { keepDims: true });
  const acc = xq.zeroPoint === 0 ? sum : ops.sub(sum, n * xq.zeroPoint);
  return ops.mul(ops.cast(acc, 'f32'), Math.fround(xq.scale / Math.fround(yq.scale * n)));
});

/** QLinearAveragePool: AveragePool's attributes (and channels_last) on the dequantized input, the mean quantized by y. */
const qLinearAveragePool: OnnxOp = quantizedPool((call, x, xq, yq) => ops.div(averagePoolOf(call, ops.mul(centeredF32(x, xq.zeroPoint), xq.scale)), yq.scale));

/** A QLinear pool: X (NCHW, or NHWC with channels_last), X's and y's scales and zero points on the host; `pooled` gives y's quotients, which are rounded and saturated here. */
function quantizedPool(pooled: (call: NodeCall, x: Tensor, xq: QParams, yq: QParams) => Tensor): OnnxOp {
  return {
    hostInputs: [1, 2, 3, 4],
    run: (call) => {
      const type = int8Type(call, 0, 'X', 2);
      checkSameType(call, 4, 'y_zero_point', type);
      const [xq, yq] = [qParams(call, 1, 2, 'x'), qParams(call, 3, 4, 'y')];
      const { x, last } = poolInput(call);
      const y = saturated(call, pooled(call, x, xq, yq), yq.zeroPoint, type);
      return call.typed(last ? channelsLast(y) : y, type);
    },
  };
}

/**
 * QLinearSoftmax: X, X_scale, x_zero_point?, y_scale, y_zero_point.
 * softmax(x_scale · x) (x's zero point cancels) divided by y_scale; by the
 * rules of the Softmax opset it names (its `opset` attribute): from 13 over
 * one axis, before over the axes from `axis` on taken together. axis
 * defaults to −1 either way: the op's schema says so (onnxruntime reads it
 * so, though Softmax before 13 defaulted to 1). tmnn divides by y_scale
 * as the definition says; onnxruntime multiplies by floor(1 / y_scale),
 * the same for the 1/256 its quantizer writes.
 */
const qLinearSoftmax: OnnxOp = {
  hostInputs: [1, 2, 3, 4],
  run: (call) => {
    const type = int8Type(call, 0, 'X', 2);
    checkSameType(call, 4, 'y_zero_point', type);
    const opset = call.int('opset');
    if (opset === undefined) throw call.error(`its opset attribute (the opset of the Softmax it replaces) is required: it decides how axis is read`);
    const [xq, yq] = [qParams(call, 1, 2, 'X'), qParams(call, 3, 4, 'y')];
    const x = call.tensor(0);
    const scaled = ops.mul(ops.cast(x, 'f32'), xq.scale);
    const axis = axisOf(call, x.rank, -1);
    let p: Tensor;
    if (opset >= 13) p = ops.softmax(scaled, axis);
    else {
      const outer = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      p = ops.reshape(ops.softmax(ops.reshape(scaled, [outer, x.size / Math.max(outer, 1)]), 1), x.shape);
    }
    return saturated(call, ops.mul(p, Math.fround(1 / yq.scale)), yq.zeroPoint, type);
  },
};

/** QLinearConcat: Y_scale, Y_zero_point, then (X, X_scale, X_zero_point) per input; each requantized to Y's parameters and concatenated along axis. */
const qLinearConcat: OnnxOp = {
  hostInputs: Array.from({ length: 2 + 3 * 256 }, (_, i) => i).filter((i) => i < 2 || (i - 2) % 3 !== 0),
  run: (call) => {
    const count = call.inputCount - 2;
    if (count < 3 || count % 3 !== 0) throw call.error(`it has ${call.inputCount} inputs; it takes Y_scale, Y_zero_point and then X, X_scale, X_zero_point for each tensor`);
    const yq = qParams(call, 0, 1, 'Y');
    let type: Int8Type | undefined;
    const parts = Array.from({ length: count / 3 }, (_, k) => {
      const i = 2 + 3 * k;
      const t = int8Type(call, i, `X${k}`, i + 2);
      if (type !== undefined && t !== type) throw call.error(`input ${i} is ${t} but the first tensor is ${type}; QLinearConcat joins tensors of one type`);
      type = t;
      return requantize(call, call.tensor(i), t, qParams(call, i + 1, i + 2, `X${k}`), yq);
    });
    checkSameType(call, 1, 'Y_zero_point', type!);
    const axis = call.int('axis');
    if (axis === undefined) throw call.error(`its axis attribute is required`);
    return call.typed(ops.concat(parts, axisOf(call, parts[0].rank, 0)), type!);
  },
};

/** QLinearWhere: condition, X, x_scale, x_zero_point, Y, y_scale, y_zero_point, z_scale, z_zero_point; X and Y requantized to Z's parameters, then picked. */
const qLinearWhere: OnnxOp = {
  hostInputs: [2, 3, 5, 6, 7, 8],
  run: (call) => {
    const type = int8Type(call, 1, 'X', 3);
    const ty = int8Type(call, 4, 'Y', 6);
    if (ty !== type) throw call.error(`X (input 1) is ${type} and Y (input 4) ${ty}; QLinearWhere takes both of one type`);
    checkSameType(call, 8, 'z_zero_point', type);
    const zq = qParams(call, 7, 8, 'z');
    const x = requantize(call, call.tensor(1), type, qParams(call, 2, 3, 'x'), zq);
    const y = requantize(call, call.tensor(4), type, qParams(call, 5, 6, 'y'), zq);
    return call.typed(ops.where(call.tensor(0), x, y), type);
  },
};

export const MICROSOFT_QLINEAR_OPS: OpTable = {
  QLinearAdd: qLinearAdd,
  QLinearMul: qLinearMul,
  QLinearSigmoid: tableOp(() => sigmoid),
  QLinearLeakyRelu: tableOp((call) => {
    const alpha = Math.fround(call.float('alpha', 0.01));
    return (v) => (v >= 0 ? v : Math.fround(v * alpha));
  }),
  QLinearSoftmax: qLinearSoftmax,
  QLinearGlobalAveragePool: qLinearGlobalAveragePool,
  QLinearAveragePool: qLinearAveragePool,
  QLinearConcat: qLinearConcat,
  QLinearWhere: qLinearWhere,
};
