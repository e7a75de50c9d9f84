// ONNX's BitCast (opset 26): the input's bits read as the type `to` names,
// of the same width, the shape unchanged, little-endian.
//
// On the host (Constants: integer initializers, Constant nodes, shape
// arithmetic) every pair of the same width is exact: each value written as
// its bits, the bits read as the other type (a NaN's payload excepted: a
// Constant holds values, so a NaN comes out as the type's first NaN pattern,
// as on the device).
//
// On the device the bits go through an i32 (tm.bitcast for floats, masks
// and shifts for integers, the 8- and 4-bit floats held as the f32s of their
// values encoded from those f32s' bits, and decoded by a lookup of each
// pattern's value), which holds every pattern of 32 bits or fewer. What
// tmnn's tensors cannot hold is refused by name: double (held as f32, its
// bits gone), and results as uint32 from a signed pattern and as uint64 from
// int64 (a negative source makes 2³¹ or more, past i32).
import * as ops from '../../ops/index.js';
import type { Tensor } from '../../tensor.js';
import { tensor } from '../../ops/creation.js';
import { f16Bits, f16Value } from '../../f16.js';
import { FLOAT4E2M1, float4e2m1Value, isLowBitFloatType, type LowBitFloatType } from '../float4.js';
import { FLOAT8_FORMATS, float8Value } from '../float8.js';
import type { NodeCall } from '../node_call.js';
import { DATA_TYPES } from '../proto.js';
import { bfloat16, bitWidth, Constant, isRunnable, type ElementType } from '../value.js';
import type { OnnxOp, OpTable } from './op.js';

const SIGNED: Readonly<Record<number, ElementType>> = { 4: 'int4', 8: 'int8', 16: 'int16', 32: 'int32', 64: 'int64' };

function targetType(call: NodeCall): ElementType {
  const to = call.int('to');
  const name = to === undefined ? undefined : DATA_TYPES[to];
  if (name === undefined) throw call.error(to === undefined ? 'attribute to (the type to read the bits as) is required' : `to = ${to} is not an ONNX data type`);
  if (!isRunnable(name)) throw call.error(`casts bits to ${name}, which tmnn does not hold`);
  return name;
}

/** The input's type, checked against the target's width; an i32 tensor of no recorded type is the signed integer of that width. */
function sourceType(call: NodeCall, to: ElementType): ElementType {
  const from = call.elementType(0) ?? SIGNED[bitWidth(to)];
  if (bitWidth(from) !== bitWidth(to)) throw call.error(`reads ${from} (${bitWidth(from)} bits) as ${to} (${bitWidth(to)} bits): BitCast needs types of the same width`);
  return from;
}

// ---- The host: each value to its bits and back, exactly. ----

const view = new DataView(new ArrayBuffer(8));

/** Every pattern's value for a small float type, and the pattern of each value (zeros by sign, a NaN by the first NaN pattern). */
const smallFloatCodes = new Map<LowBitFloatType, { values: number[]; codes: Map<number, number> }>();
function smallFloat(type: LowBitFloatType) {
  let known = smallFloatCodes.get(type);
  if (!known) {
    const values = Array.from({ length: 2 ** bitWidth(type) }, (_, bits) => (type === 'float4e2m1' ? float4e2m1Value(bits) : float8Value(bits, type)));
    const codes = new Map<number, number>();
    values.forEach((v, bits) => { if (!codes.has(v) && !Object.is(v, -0)) codes.set(v, bits); });
    known = { values, codes };
    smallFloatCodes.set(type, known);
  }
  return known;
}

/** v's bits as `type` stores it, unsigned. */
function bitsOf(v: number, type: ElementType): bigint {
  switch (type) {
    case 'float': return (view.setFloat32(0, v, true), BigInt(view.getUint32(0, true)));
    case 'double': return (view.setFloat64(0, v, true), view.getBigUint64(0, true));
    case 'float16': return BigInt(f16Bits(v));
    case 'bfloat16': return (view.setFloat32(0, v, true), BigInt(view.getUint32(0, true) >>> 16));
    case 'bool': return v ? 1n : 0n;
  }
  if (isLowBitFloatType(type)) {
    const { values, codes } = smallFloat(type);
    const negativeZero = Object.is(v, -0) ? values.findIndex((x) => Object.is(x, -0)) : -1;
    return BigInt(negativeZero >= 0 ? negativeZero : codes.get(v) ?? 0);
  }
  return BigInt.asUintN(bitWidth(type), BigInt(v));
}

/** The value of the bits as `type`. */
function valueOf(bits: bigint, type: ElementType): number {
  switch (type) {
    case 'float': return (view.setUint32(0, Number(bits), true), view.getFloat32(0, true));
    case 'double': return (view.setBigUint64(0, bits, true), view.getFloat64(0, true));
    case 'float16': return f16Value(Number(bits));
    case 'bfloat16': return bfloat16(Number(bits));
    case 'bool': return bits ? 1 : 0;
  }
  if (isLowBitFloatType(type)) return smallFloat(type).values[Number(bits)];
  return Number(type.startsWith('u') ? bits : BigInt.asIntN(bitWidth(type), bits));
}

function bitCastHost(call: NodeCall, [x]: Constant[]): Constant {
  const to = targetType(call);
  const from = sourceType(call, to);
  return new Constant(to, x.shape, x.data.map((v) => {
    const bits = bitsOf(v, from);
    const out = valueOf(bits, to);
    // A 64-bit integer (a double's pattern, mostly) with more significant bits than a float64 holds would be rounded by the Constant.
    if ((to === 'int64' || to === 'uint64') && BigInt(out) !== (to === 'uint64' ? bits : BigInt.asIntN(64, bits))) {
      throw call.error(`${from} ${v} as ${to} is ${to === 'uint64' ? bits : BigInt.asIntN(64, bits)}, which tmnn's constants (float64) would round`);
    }
    return out;
  }));
}

// ---- The device: through the bits in an i32. ----

/** x's bits in an i32: the whole pattern for 32-bit types, the unsigned pattern for narrower ones. */
function deviceBits(call: NodeCall, x: Tensor, from: ElementType, to: ElementType): Tensor {
  const refuse = (why: string) => call.error(`${from} to ${to} on the device is not supported: ${why}; on Constants (the host) it is exact`);
  switch (from) {
    case 'float': case 'float16': return ops.bitcast(x, 'i32');
    case 'bfloat16': return ops.bitwiseAnd(ops.bitwiseRightShift(ops.bitcast(x, 'i32'), 16), 0xffff);
    case 'double': throw refuse('tmnn holds double as f32, without the bits a reinterpretation reads');
  }
  if (isLowBitFloatType(from)) return smallFloatBits(x, from);
  const ints = ops.cast(x, 'i32');
  // Signed narrow integers to their unsigned patterns; 32- and 64-bit ones (within i32) and the unsigned ones are their own.
  return from === 'int16' || from === 'int8' || from === 'int4' ? ops.bitwiseAnd(ints, 2 ** bitWidth(from) - 1) : ints;
}

/**
 * The patterns of a small float type's values (f32 x holding them exactly):
 * sign, then the f32's exponent rebiased and its mantissa's top bits where
 * the value is normal in the type, |x| · 2^(bias − 1 + M) (an exact integer)
 * where it is subnormal; an infinity (e5m2's) at S.11111.00, a NaN at the
 * type's first NaN pattern, as the host gives.
 */
function smallFloatBits(x: Tensor, type: LowBitFloatType): Tensor {
  const f = type === 'float4e2m1' ? FLOAT4E2M1 : FLOAT8_FORMATS[type];
  const m = f.mantissaBits, width = 1 + f.exponentBits + m;
  const bits = ops.bitcast(ops.cast(x, 'f32'), 'i32');
  const magnitude = ops.bitwiseAnd(bits, 0x7fffffff);
  const exponent = ops.sub(ops.bitwiseRightShift(magnitude, 23), 127);
  const normal = ops.bitwiseOr(ops.bitwiseLeftShift(ops.add(exponent, f.bias), m), ops.bitwiseRightShift(ops.bitwiseAnd(magnitude, 0x7fffff), 23 - m));
  const subnormal = ops.cast(ops.mul(ops.abs(x), 2 ** (f.bias - 1 + m)), 'i32');
  let code = ops.where(ops.greaterEqual(exponent, 1 - f.bias), normal, subnormal);
  if (f.infinities) code = ops.where(ops.equal(magnitude, 0x7f800000), ((1 << f.exponentBits) - 1) << m, code);
  // The sign bit, but on a zero where the type has no negative zero (fnuz).
  const negative = ops.less(bits, 0);
  code = ops.where(f.unsignedZero ? ops.logicalAnd(negative, ops.notEqual(magnitude, 0)) : negative, ops.bitwiseOr(code, 1 << (width - 1)), code);
  const nan = smallFloat(type).values.findIndex(Number.isNaN);
  return nan < 0 ? code : ops.where(ops.greater(magnitude, 0x7f800000), nan, code);
}

/** The `to` value of bits (an i32, as deviceBits gives them). */
function fromBits(call: NodeCall, bits: Tensor, from: ElementType, to: ElementType): Tensor {
  const refuse = (why: string) => call.error(`${from} to ${to} on the device is not supported: ${why}; on Constants (the host) it is exact`);
  const shifted = (width: number) => ops.bitwiseRightShift(ops.bitwiseLeftShift(bits, 32 - width), 32 - width);
  switch (to) {
    case 'float': return ops.bitcast(bits, 'f32');
    case 'float16': return ops.bitcast(bits, 'f16');
    case 'bfloat16': return ops.bitcast(ops.bitwiseLeftShift(bits, 16), 'f32');
    case 'double': throw refuse('tmnn holds double as f32, which cannot take 64 bits');
    case 'int32': case 'uint8': case 'uint16': case 'uint4': case 'int64': return call.typed(bits, to);
    case 'int16': case 'int8': case 'int4': return call.typed(shifted(bitWidth(to)), to);
    case 'bool': return call.typed(ops.cast(ops.notEqual(bits, 0), 'i32'), to);
    case 'uint32': case 'uint64':
      if (from === to || from === 'uint32' || from === 'uint64') return call.typed(bits, to);
      throw refuse(`a negative ${from} is 2^31 or more as ${to}, past the range of tmnn's i32 tensors`);
  }
  // The small floats: each pattern's value looked up (held as the f32 of the value, the type recorded).
  const patterns = 2 ** bitWidth(to);
  const table = call.kept(call.node, to, 'bitcast-values', () => tensor(Float32Array.from(smallFloat(to as LowBitFloatType).values), [patterns]));
  return call.typed(ops.gather(table, ops.bitwiseAnd(bits, patterns - 1)), to);
}

const bitCast: OnnxOp = {
  run: (call) => {
    const to = targetType(call);
    const from = sourceType(call, to);
    const x = call.tensor(0);
    if (from === to) return call.typed(x, to);
    return fromBits(call, deviceBits(call, x, from, to), from, to);
  },
  host: bitCastHost,
};

export const BITCAST_OPS: OpTable = { BitCast: bitCast };
