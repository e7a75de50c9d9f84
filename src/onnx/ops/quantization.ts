// ONNX's linear quantization: QuantizeLinear (y = saturate(round(x / scale)
// + zero_point), halves to even), DequantizeLinear (y = (x − zero_point) ·
// scale), per tensor or, from opset 13, per axis, or, from opset 21, per
// block of `block_size` along an axis; and DynamicQuantizeLinear, which finds
// a uint8 scale and zero point from x's own range. Opsets 19 and 21 add the
// 8-bit floats (quantized by rounding x / scale to the format, `saturate`
// deciding what overflows; their zero point, if given, must be 0) and the
// 4-bit integers, opset 23 float4e2m1 (as the 8-bit floats, always
// saturating), held as value.ts says.
//
// Gradients: these are tmnn ops, so a float scale (an initializer, hence a
// parameter) gets its gradient through DequantizeLinear's product. The
// quantized integers themselves are constants: an int8 weight is not
// trainable, and round's gradient is zero.
import * as ops from '../../ops/index.js';
import { dynamicQuantizeUint8 } from '../../ops/quantize_uint8.js';
import { adoptStorageArray } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import { isLowBitFloatType, type LowBitFloatType } from '../float4.js';
import { FLOAT8_FORMATS, type Float8Type } from '../float8.js';
import type { NodeCall } from '../node_call.js';
import { DATA_TYPES } from '../proto.js';
import { Constant, type ElementType } from '../value.js';
import { roundToLowBitFloat } from './float8_rounding.js';
import type { OnnxOp, OpTable } from './op.js';
import { alongAxis, axisOf, floatInput, integerInput, isLinearQuantType, LINEAR_QUANT_RANGES, saturated, zeroPointType, type LinearQuantType } from './quantized.js';

const LOW_BIT_FLOAT_TYPES: readonly LowBitFloatType[] = [...(Object.keys(FLOAT8_FORMATS) as Float8Type[]), 'float4e2m1'];
const QUANTIZED_TYPES: readonly ElementType[] = [...(Object.keys(LINEAR_QUANT_RANGES) as LinearQuantType[]), ...LOW_BIT_FLOAT_TYPES];

/** How a scale and its zero point lie against x: one for all of x, one per index along an axis, or one per block of blockSize indices along it. */
type Layout = { kind: 'tensor' } | { kind: 'axis'; axis: number } | { kind: 'block'; axis: number; blockSize: number };

/** The scale's layout against x, from its shape and the axis and block_size attributes; the zero point, if given, must have the scale's shape. */
function layoutOf(call: NodeCall, x: readonly number[], scale: readonly number[]): Layout {
  const rank = x.length;
  const size = scale.reduce((a, b) => a * b, 1);
  const blockSize = call.int('block_size', 0);
  let layout: Layout;
  if (blockSize !== 0) {
    if (call.opset < 21) throw call.error(`block_size = ${blockSize}: blocked quantization needs opset 21 or later (the model imports ${call.opset})`);
    if (!Number.isInteger(blockSize) || blockSize < 0) throw call.error(`block_size = ${blockSize}; it must be a positive integer (0: no blocks)`);
    const axis = axisOf(call, rank, 1);
    const want = x.map((d, i) => (i === axis ? Math.ceil(d / blockSize) : d));
    if (scale.length !== rank || scale.some((d, i) => d !== want[i])) {
      throw call.error(`block_size = ${blockSize} along axis ${axis} of x [${x.join(', ')}] needs a scale of [${want.join(', ')}] (the axis' ${x[axis]} in blocks of ${blockSize}, the last one short where they do not divide it); the scale (input 1) is [${scale.join(', ')}]`);
    }
    layout = { kind: 'block', axis, blockSize };
  } else {
    if (size !== 1 && call.opset < 13) throw call.error(`the scale (input 1) is [${scale.join(', ')}]; per-axis quantization needs opset 13 or later (the model imports ${call.opset}), before it the scale is a scalar`);
    // axis (default 1) matters only to a per-axis scale: a per-tensor one fits any x, a scalar's too.
    const axis = size === 1 ? 0 : axisOf(call, rank, 1);
    alongAxis(call, scale, 'the scale (input 1)', rank, axis, x[axis]);
    layout = size === 1 && scale.length <= rank ? { kind: 'tensor' } : { kind: 'axis', axis };
  }
  if (call.has(2)) {
    const zpShape = call.value(2).shape;
    const same = zpShape.length === scale.length && zpShape.every((d, i) => d === scale[i]);
    if (!same) throw call.error(`the zero point (input 2) is [${zpShape.join(', ')}] and the scale [${scale.join(', ')}]; ONNX requires them of one shape`);
  }
  return layout;
}

/** A scale or zero point laid against x: kept (it broadcasts), reshaped along the axis, or each block's value repeated over its block. */
function laid(t: Tensor, layout: Layout, x: readonly number[]): Tensor {
  if (layout.kind === 'tensor') return t;
  if (layout.kind === 'axis') return ops.reshape(t, x.map((d, i) => (i === layout.axis ? d : 1)));
  const repeated = ops.repeatInterleave(t, layout.blockSize, layout.axis);
  // The last block is short where block_size does not divide the axis: its repeats past the axis' end go.
  return repeated.shape[layout.axis] === x[layout.axis] ? repeated : ops.slice(repeated, x.map(() => 0), [...x]);
}

/** For flat element k of x, the flat index of its scale (and zero point) in the layout. */
function scaleIndex(layout: Layout, x: readonly number[]): (k: number) => number {
  if (layout.kind === 'tensor') return () => 0;
  const inner = x.slice(layout.axis + 1).reduce((a, b) => a * b, 1), length = x[layout.axis];
  if (layout.kind === 'axis') return (k) => Math.floor(k / inner) % length;
  const { blockSize } = layout, blocks = Math.ceil(length / blockSize);
  return (k) => {
    const outer = Math.floor(k / (inner * length)), i = Math.floor(k / inner) % length;
    return (outer * blocks + Math.floor(i / blockSize)) * inner + (k % inner);
  };
}

/** A scale as f32 laid against x. */
function laidScale(scale: Tensor, layout: Layout, x: readonly number[]): Tensor {
  return laid(scale.dtype === 'f32' ? scale : ops.cast(scale, 'f32'), layout, x);
}

/** An integer zero point (input 2) laid against x: a one-element constant as a plain number. */
function laidZeroPoint(call: NodeCall, layout: Layout, x: readonly number[], name: string): Tensor | number {
  const v = call.value(2);
  if (v instanceof Constant && v.size === 1) return v.data[0];
  return laid(call.asTensor(v, name), layout, x);
}

/** An 8-bit or 4-bit float's zero point: ONNX's formula adds it, its reference refuses any but 0, and so does tmnn. */
function requireZeroFloat(call: NodeCall, name: string, type: LowBitFloatType): void {
  if (!call.has(2)) return;
  const kind = type === 'float4e2m1' ? 'a 4-bit float' : 'an 8-bit float';
  if (!call.isConstant(2)) throw call.error(`${name} (input 2) is ${kind} computed on the device; tmnn needs it known to be 0 (give it as an initializer)`);
  const bad = call.constant(2, name).values().find((v) => v !== 0);
  if (bad !== undefined) throw call.error(`${name} (input 2) holds ${bad}; ${kind} zero point must be 0 (as onnx's reference requires)`);
}

/** QuantizeLinear's output type: the zero point's, else opset 21's output_dtype, else uint8. */
function outputType(call: NodeCall): LinearQuantType | LowBitFloatType {
  const code = call.int('output_dtype', 0);
  const named = code ? DATA_TYPES[code] ?? String(code) : undefined;
  if (named !== undefined && !isLinearQuantType(named) && !isLowBitFloatType(named)) {
    throw call.error(`output_dtype = ${code} (${named}) is not supported: QuantizeLinear makes ${QUANTIZED_TYPES.join(', ')}`);
  }
  const zp = zeroPointType(call, 2, 'y_zero_point', undefined, QUANTIZED_TYPES) as LinearQuantType | LowBitFloatType | undefined;
  if (call.has(2) && zp === undefined) throw call.error(`y_zero_point (input 2) is computed on the device as an integer of unknown width; tmnn needs its type (uint8, int8…) known to saturate to it: give it as an initializer`);
  if (named !== undefined && zp !== undefined && named !== zp) throw call.error(`output_dtype is ${named} but y_zero_point is ${zp}; ONNX requires them alike`);
  return zp ?? named ?? 'uint8';
}

const quantizeLinear: OnnxOp = {
  run: (call) => {
    const type = outputType(call);
    const x = floatInput(call, 0, 'x');
    const scale = floatInput(call, 1, 'y_scale');
    const layout = layoutOf(call, x.shape, scale.shape);
    // x / scale in f32 (an f16 x too: its quotient rounded once, in f32, then to an integer or an 8-bit float).
    const q = ops.div(x.dtype === 'f32' ? x : ops.cast(x, 'f32'), laidScale(scale, layout, x.shape));
    if (isLowBitFloatType(type)) {
      requireZeroFloat(call, 'y_zero_point', type);
      return call.typed(roundToLowBitFloat(q, type, call.int('saturate', 1) !== 0), type);
    }
    return saturated(call, q, call.has(2) ? laidZeroPoint(call, layout, x.shape, 'y_zero_point') : 0, type);
  },
};

const DEQUANTIZE_TYPES: readonly ElementType[] = [...QUANTIZED_TYPES, 'int32'];

/** x − x_zero_point, exactly (integers), as f32: on the host when both are known there (a quantized weight), else on the device. */
function centeredFloats(call: NodeCall, layout: Layout): Tensor {
  const x = call.value(0);
  const zp = call.has(2) ? call.value(2) : undefined;
  if (x instanceof Constant && (zp === undefined || zp instanceof Constant)) {
    const index = scaleIndex(layout, x.shape);
    // Made once per model: a quantized weight's integers do not change between runs.
    return call.kept(x, zp, `x − x_zero_point laid ${JSON.stringify(layout)}`, () => {
      const out = new Float32Array(x.size);
      for (let k = 0; k < x.size; k++) out[k] = x.data[k] - (zp ? zp.data[zp.size === 1 ? 0 : index(k)] : 0);
      return adoptStorageArray(out, [...x.shape], 'f32');
    });
  }
  const xt = call.asTensor(x, 'x');
  const diff = zp === undefined ? xt : ops.sub(ops.cast(xt, 'i32'), laidZeroPoint(call, layout, xt.shape, 'x_zero_point'));
  return ops.cast(diff, 'f32');
}

const dequantizeLinear: OnnxOp = {
  run: (call) => {
    const type = integerInput(call, 0, 'x', DEQUANTIZE_TYPES);
    zeroPointType(call, 2, 'x_zero_point', type, DEQUANTIZE_TYPES);
    if (type === 'int32' && call.has(2) && call.isConstant(2) && call.constant(2, 'x_zero_point').values().some((v) => v !== 0)) {
      throw call.error(`x is int32 and its zero point is not 0; ONNX dequantizes int32 with no zero point`);
    }
    const scale = floatInput(call, 1, 'x_scale');
    const xShape = call.value(0).shape;
    const layout = layoutOf(call, xShape, scale.shape);
    let centered: Tensor;
    if (isLowBitFloatType(type)) {
      // An 8-bit or 4-bit float is held as the f32 of its value: nothing to convert.
      requireZeroFloat(call, 'x_zero_point', type);
      centered = call.tensor(0);
    } else centered = centeredFloats(call, layout);
    // (x − zp) is exact; one f32 product rounds it, as onnxruntime's static_cast<float>(x − zp) · scale.
    const y = ops.mul(centered, laidScale(scale, layout, xShape));
    return scale.dtype === 'f16' ? ops.cast(y, 'f16') : y;
  },
};

/** DynamicQuantizeLinear: a uint8 scale and zero point from x's own range, and x quantized by them (ops/quantize_uint8.ts). */
const dynamicQuantizeLinear: OnnxOp = {
  run: (call) => {
    const [y, scale, zeroPoint] = dynamicQuantizeUint8(floatInput(call, 0, 'x'));
    return [call.typed(y, 'uint8'), scale, call.typed(zeroPoint, 'uint8')];
  },
};

export const QUANTIZATION_OPS: OpTable = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
};
