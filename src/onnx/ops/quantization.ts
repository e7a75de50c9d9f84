// ONNX's linear quantization: QuantizeLinear (y = saturate(round(x / scale)
// + zero_point), halves to even), DequantizeLinear (y = (x − zero_point) ·
// scale), per tensor or, from opset 13, per axis; and DynamicQuantizeLinear,
// which finds a uint8 scale and zero point from x's own range. Blocked
// quantization (opset 21's block_size), the 8-bit floats and the 4-bit
// integers are refused: tmnn holds none of them.
//
// Gradients: these are tmnn ops, so a float scale (an initializer, hence a
// parameter) gets its gradient through DequantizeLinear's product. The
// quantized integers themselves are constants: an int8 weight is not
// trainable, and round's gradient is zero.
import * as ops from '../../ops/index.js';
import { dynamicQuantizeUint8 } from '../../ops/quantize_uint8.js';
import { adoptStorageArray } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { DATA_TYPES } from '../proto.js';
import { Constant, type ElementType } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';
import { alongAxis, axisOf, floatInput, integerInput, isQuantType, QUANT_RANGES, reshaped, saturated, unsupportedWhy, zeroPointType, type QuantType } from './quantized.js';

const QUANT_TYPES = Object.keys(QUANT_RANGES) as QuantType[];

/** Opset 21's block_size: blocked quantization is not run. */
function refuseBlocks(call: NodeCall): void {
  call.refuse('block_size', (v) => v === 0, 'tmnn runs per-tensor and per-axis quantization, not blocked quantization');
}

/** The scale's shape laid against x (per tensor, or per axis from opset 13), and the same shape required of the zero point. */
function scaleShape(call: NodeCall, x: readonly number[], scale: readonly number[]): number[] {
  const rank = x.length;
  const size = scale.reduce((a, b) => a * b, 1);
  if (size !== 1 && call.opset < 13) throw call.error(`the scale (input 1) is [${scale.join(', ')}]; per-axis quantization needs opset 13 or later (the model imports ${call.opset}), before it the scale is a scalar`);
  // axis (default 1) matters only to a per-axis scale: a per-tensor one fits any x, a scalar's too.
  const axis = size === 1 ? 0 : axisOf(call, rank, 1);
  const shape = alongAxis(call, scale, 'the scale (input 1)', rank, axis, x[axis]);
  if (call.has(2)) {
    const zpShape = call.value(2).shape;
    const same = zpShape.length === scale.length && zpShape.every((d, i) => d === scale[i]);
    if (!same) throw call.error(`the zero point (input 2) is [${zpShape.join(', ')}] and the scale [${scale.join(', ')}]; ONNX requires them of one shape`);
  }
  return shape;
}

/** QuantizeLinear's output type: the zero point's, else opset 21's output_dtype, else uint8. */
function outputType(call: NodeCall): QuantType {
  const code = call.int('output_dtype', 0);
  const named = code ? DATA_TYPES[code] ?? String(code) : undefined;
  if (named !== undefined && !isQuantType(named)) throw call.error(`output_dtype = ${code} (${named}) is not supported: ${unsupportedWhy(named)}`);
  // (A float8 or int4 zero point never gets here: tmnn refuses those initializers as it reads them.)
  const zp = zeroPointType(call, 2, 'y_zero_point', undefined, QUANT_TYPES) as QuantType | undefined;
  if (call.has(2) && zp === undefined) throw call.error(`y_zero_point (input 2) is computed on the device as an integer of unknown width; tmnn needs its type (uint8, int8…) known to saturate to it: give it as an initializer`);
  if (named !== undefined && zp !== undefined && named !== zp) throw call.error(`output_dtype is ${named} but y_zero_point is ${zp}; ONNX requires them alike`);
  return zp ?? named ?? 'uint8';
}

const quantizeLinear: OnnxOp = {
  run: (call) => {
    refuseBlocks(call);
    const type = outputType(call);
    const x = floatInput(call, 0, 'x');
    const scale = floatInput(call, 1, 'y_scale');
    const shape = scaleShape(call, x.shape, scale.shape);
    // x / scale in f32 (an f16 x too: its quotient rounded once, in f32, then to an integer).
    const q = ops.div(x.dtype === 'f32' ? x : ops.cast(x, 'f32'), ops.reshape(scale.dtype === 'f32' ? scale : ops.cast(scale, 'f32'), shape));
    return saturated(call, q, call.has(2) ? reshaped(call, 2, shape, 'y_zero_point') : 0, type);
  },
};

const DEQUANTIZE_TYPES: readonly ElementType[] = [...QUANT_TYPES, 'int32'];

/** x − x_zero_point, exactly (integers), as f32: on the host when both are known there (an int8 weight), else on the device. */
function centeredFloats(call: NodeCall, shape: readonly number[]): Tensor {
  const x = call.value(0);
  const zp = call.has(2) ? call.value(2) : undefined;
  if (x instanceof Constant && (zp === undefined || zp instanceof Constant)) {
    const along = zp && zp.size > 1 ? axisOf(call, x.shape.length, 1) : -1;
    // Made once per model: a quantized weight's integers do not change between runs.
    return call.kept(x, zp, `x − x_zero_point along ${along}`, () => {
      const out = new Float32Array(x.size);
      const inner = along < 0 ? 1 : x.shape.slice(along + 1).reduce((a, b) => a * b, 1);
      for (let k = 0; k < x.size; k++) out[k] = x.data[k] - (zp ? zp.data[along < 0 ? 0 : Math.floor(k / inner) % x.shape[along]] : 0);
      return adoptStorageArray(out, [...x.shape], 'f32');
    });
  }
  const xt = call.asTensor(x, 'x');
  const diff = zp === undefined ? xt : ops.sub(ops.cast(xt, 'i32'), reshaped(call, 2, shape, 'x_zero_point'));
  return ops.cast(diff, 'f32');
}

const dequantizeLinear: OnnxOp = {
  run: (call) => {
    refuseBlocks(call);
    const type = integerInput(call, 0, 'x', DEQUANTIZE_TYPES);
    zeroPointType(call, 2, 'x_zero_point', type, DEQUANTIZE_TYPES);
    if (type === 'int32' && call.has(2) && call.isConstant(2) && call.constant(2, 'x_zero_point').values().some((v) => v !== 0)) {
      throw call.error(`x is int32 and its zero point is not 0; ONNX dequantizes int32 with no zero point`);
    }
    const scale = floatInput(call, 1, 'x_scale');
    const xShape = call.value(0).shape;
    const shape = scaleShape(call, xShape, scale.shape);
    // (x − zp) is exact; one f32 product rounds it, as onnxruntime's static_cast<float>(x − zp) · scale.
    const y = ops.mul(centeredFloats(call, shape), ops.reshape(scale.dtype === 'f32' ? scale : ops.cast(scale, 'f32'), shape));
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
