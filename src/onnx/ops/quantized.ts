// What ONNX's quantization operators share (quantization.ts, then
// integer_products.ts): the integer types a quantized tensor holds and their
// ranges, zero points read and checked against their tensor's type, scales
// and zero points laid along the axis they quantize, and the requantizing
// step y = saturate(round(v · multiplier) + zero point), with ONNX's rounding
// of halves to even (tmnn's round). tmnn holds every one of these integer
// types (the 4-bit ones QuantizeLinear and DequantizeLinear take too) as an
// i32 tensor; NodeCall records which a tensor stands for.
import * as ops from '../../ops/index.js';
import { adoptStorageArray } from '../../ops/util.js';
import type { Tensor } from '../../tensor.js';
import type { NodeCall } from '../node_call.js';
import { Constant, type ElementType } from '../value.js';

export type QuantType = 'uint8' | 'int8' | 'uint16' | 'int16';

export const QUANT_RANGES: Readonly<Record<QuantType, readonly [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
};

/** The integers QuantizeLinear and DequantizeLinear take besides (opset 21): packed two to a byte in a file, held as i32 here. */
export type LinearQuantType = QuantType | 'int4' | 'uint4';

export const LINEAR_QUANT_RANGES: Readonly<Record<LinearQuantType, readonly [number, number]>> = { ...QUANT_RANGES, int4: [-8, 7], uint4: [0, 15] };

const FLOAT_TYPES: readonly ElementType[] = ['float', 'float16', 'bfloat16', 'double'];

export function isQuantType(type: string | undefined): type is QuantType {
  return type !== undefined && Object.hasOwn(QUANT_RANGES, type);
}

export function isLinearQuantType(type: string | undefined): type is LinearQuantType {
  return type !== undefined && Object.hasOwn(LINEAR_QUANT_RANGES, type);
}

/** Input i's element type, refused unless one of `allowed`; undefined for an i32 tensor of unrecorded type (any integer type passes). */
export function integerInput(call: NodeCall, i: number, name: string, allowed: readonly ElementType[]): ElementType | undefined {
  const type = call.elementType(i);
  if (type === undefined || allowed.includes(type)) return type;
  throw call.error(`${name} (input ${i}) is ${type}; ${call.node.opType} takes ${allowed.join(' or ')} there`);
}

/** Input i as a float tensor (a scale), f32 or f16 as it is. */
export function floatInput(call: NodeCall, i: number, name: string): Tensor {
  const type = call.elementType(i);
  if (type !== undefined && !FLOAT_TYPES.includes(type)) throw call.error(`${name} (input ${i}) is ${type}; it must be a float (float, float16 or bfloat16)`);
  return call.tensor(i);
}

/**
 * A zero point's type against the type of the tensor it belongs to: ONNX
 * requires them alike. Either may be unknown (an i32 tensor computed on the
 * device); the other then decides.
 */
export function zeroPointType(call: NodeCall, i: number, name: string, tensorType: ElementType | undefined, allowed: readonly ElementType[]): ElementType | undefined {
  if (!call.has(i)) return tensorType;
  const type = integerInput(call, i, name, allowed);
  if (type !== undefined && tensorType !== undefined && type !== tensorType) {
    throw call.error(`${name} (input ${i}) is ${type} but the tensor it belongs to is ${tensorType}; ONNX requires them of one type`);
  }
  return type ?? tensorType;
}

/**
 * How a scale or zero point of `shape` lies against a tensor of rank
 * `rank`: one element is per tensor (kept as is: it broadcasts), a 1-D list
 * of the tensor's `axis` length is per axis (reshaped to lie along that
 * axis). Anything else is refused, naming the input.
 */
export function alongAxis(call: NodeCall, shape: readonly number[], name: string, rank: number, axis: number, length: number): number[] {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size === 1 && shape.length <= rank) return [...shape];
  if (shape.length === 1 && size === length) return Array.from({ length: rank }, (_, d) => (d === axis ? length : 1));
  throw call.error(`${name} is [${shape.join(', ')}]; it must be a scalar (per tensor) or 1-D of ${length} elements (along axis ${axis} of a rank-${rank} tensor)`);
}

/** Input i (a scale or zero point) reshaped to `shape`, as a tensor; a one-element Constant as a plain number. */
export function reshaped(call: NodeCall, i: number, shape: readonly number[], name: string): Tensor | number {
  const v = call.value(i);
  if (v instanceof Constant && v.size === 1) return v.data[0];
  return ops.reshape(call.asTensor(v, name), shape);
}

/** Input i minus its zero point (input z, optional) as an exact i32 tensor; reshaped zp of `zpShape`. Both on the host: subtracted there. */
export function centered(call: NodeCall, i: number, z: number, zpShape: readonly number[], name: string): Tensor {
  const v = call.value(i);
  if (!call.has(z)) return asI32(call.asTensor(v, name));
  const zp = call.value(z);
  // A weight and its zero point, both constants: subtracted on the host once per model.
  if (v instanceof Constant && zp instanceof Constant) return call.kept(v, zp, `${name} − zero point as [${zpShape.join(', ')}]`, () => adoptStorageArray(hostCentered(v, zp, zpShape), [...v.shape], 'i32'));
  const zpValue = reshaped(call, z, zpShape, `input ${z}`);
  return asI32(ops.sub(asI32(call.asTensor(v, name)), zpValue));
}

function asI32(t: Tensor): Tensor {
  return t.dtype === 'i32' ? t : ops.cast(t, 'i32');
}

/** v − zp on the host, zp broadcast as `zpShape` (a per-tensor scalar, or along one axis of v). */
function hostCentered(v: Constant, zp: Constant, zpShape: readonly number[]): Int32Array {
  const out = new Int32Array(v.size);
  if (zp.size === 1) {
    for (let k = 0; k < v.size; k++) out[k] = v.data[k] - zp.data[0];
    return out;
  }
  const axis = zpShape.findIndex((d) => d !== 1) + v.shape.length - zpShape.length;
  const inner = v.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const length = v.shape[axis];
  for (let k = 0; k < v.size; k++) out[k] = v.data[k] - zp.data[Math.floor(k / inner) % length];
  return out;
}

/** ONNX's axis attribute in [−rank, rank), made non-negative. */
export function axisOf(call: NodeCall, rank: number, fallback: number): number {
  const axis = call.int('axis', fallback);
  if (!Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) throw call.error(`axis = ${axis} is outside [${-rank}, ${rank - 1}] for a rank-${rank} input`);
  return axis < 0 ? axis + rank : axis;
}

/**
 * saturate(round(v) + zeroPoint) into `type`'s range, as an i32 tensor
 * recorded as `type`. v is f32; the zero point is added after rounding, as
 * ONNX writes it (added before, the f32 sum could round v's fraction onto a
 * half), and the clip comes last, so an f32 past i32's range still lands on
 * the type's bound.
 */
export function saturated(call: NodeCall, v: Tensor, zeroPoint: Tensor | number, type: LinearQuantType): Tensor {
  const [lo, hi] = LINEAR_QUANT_RANGES[type];
  const shifted = zeroPoint === 0 ? ops.round(v) : ops.add(ops.round(v), zeroPoint);
  return call.typed(ops.cast(ops.clip(shifted, lo, hi), 'i32'), type);
}

