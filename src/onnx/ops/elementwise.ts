// ONNX's elementwise operators: arithmetic, comparisons, logic and the
// activations, on tensors through tmnn's ops (broadcasting as ONNX's
// multidirectional broadcasting, which is NumPy's), and on the host for the
// arithmetic and comparisons shape computations use.
import { f16Bits, f16Value } from '../../f16.js';
import { roundHalfEven } from '../../round.js';
import * as F from '../../nn/activation_functions.js';
import * as ops from '../../ops/index.js';
import { Tensor, type TensorLike } from '../../tensor.js';
import { hostMap } from '../host_math.js';
import { hostArray, valuesRead } from '../host_values.js';
import type { NodeCall } from '../node_call.js';
import { isLowBitFloatType, roundToLowBitFloatValue } from '../float4.js';
import { DATA_TYPES } from '../proto.js';
import { StringTensor } from '../string_tensor.js';
import { Constant, elementTypeOf, isIntegerType, type ElementType, type Value } from '../value.js';
import { roundToLowBitFloat } from './float8_rounding.js';
import type { OnnxOp, OpTable } from './op.js';
import { numberToString, stringsToNumbers } from './string_cast.js';
import { equalStrings, orStrings } from './string_elementwise.js';

type Unary = (x: Tensor) => Tensor;

function unary(fn: Unary, host?: (v: number) => number): OnnxOp {
  return {
    run: (call) => fn(call.tensor(0)),
    ...(host ? { host: (_call: NodeCall, [x]: Constant[]) => hostMap('unary', [x], x.type, host) } : {}),
  };
}

/**
 * Input i as an operand beside tensor `other`: a one-element Constant that
 * broadcasting would not widen becomes a plain number (no upload, and the
 * webgpu backend folds it into the fused kernel).
 */
function operand(call: NodeCall, i: number, other: Tensor): TensorLike {
  const v = call.value(i);
  if (v instanceof Constant && v.size === 1 && v.shape.length <= other.rank) return v.data[0];
  return call.asTensor(v, `input ${i}`);
}

/** The two inputs of a binary op: at least one as a tensor (the node runs on the device only when one is). */
function operands(call: NodeCall): [TensorLike, TensorLike] {
  const a = call.value(0), b = call.value(1);
  if (a instanceof Tensor) return [a, operand(call, 1, a)];
  if (b instanceof Tensor) return [operand(call, 0, b), b];
  return [call.tensor(0), call.tensor(1)];
}

function binary(fn: (a: TensorLike, b: TensorLike) => Tensor, host: (a: number, b: number) => number, bool = false): OnnxOp {
  return {
    run: (call) => {
      const [a, b] = operands(call);
      return fn(a, b);
    },
    host: (_call, [a, b]) => hostMap('binary', [a, b], bool ? 'bool' : a.type, host),
  };
}

/** Integer division truncates (C's), as ONNX specifies for integer Div: exactly, past 2^24 too. */
function divide(a: TensorLike, b: TensorLike): Tensor {
  const ints = [a, b].every((v) => typeof v === 'number' ? Number.isInteger(v) : !isFloatTensor(v));
  return ints ? ops.div(a, b, { roundingMode: 'trunc' }) : ops.div(a, b);
}

function isFloatTensor(t: Tensor): boolean {
  return t.dtype === 'f32' || t.dtype === 'f16';
}

/** Sum, Max, Min, Mean: any number of inputs, broadcast together. */
function variadic(fn: (a: TensorLike, b: TensorLike) => Tensor, host: (a: number, b: number) => number, mean = false): OnnxOp {
  return {
    run: (call) => {
      const xs = call.allTensors();
      const total = xs.slice(1).reduce((acc, x) => fn(acc, x), xs[0]);
      return mean ? ops.div(total, xs.length) : total;
    },
    host: (_call, xs) =>
      hostMap('variadic', xs, xs[0].type, (...v) => {
        const total = v.slice(1).reduce(host, v[0]);
        return mean ? total / v.length : total;
      }),
  };
}

/** The 4-bit integers' ranges: a cast clips to them, then rounds halves to even (onnx's reference, float32_to_4bit_unpacked). */
const FOUR_BIT_RANGE: Partial<Record<ElementType, [number, number]>> = { int4: [-8, 7], uint4: [0, 15] };

/**
 * Cast to an ONNX element type: floats to f32 (float16 to f16), integers and
 * bools to i32, float8 and float4e2m1 to the f32 of the rounded value and int4/uint4 to i32
 * (their element type recorded beside them).
 */
function castTo(call: NodeCall, x: Tensor, to: ElementType): Tensor {
  if (isLowBitFloatType(to)) return call.typed(roundToLowBitFloat(ops.cast(x, 'f32'), to, call.int('saturate', 1) !== 0), to);
  const fourBit = FOUR_BIT_RANGE[to];
  if (fourBit) return call.typed(isFloatTensor(x) ? ops.cast(ops.round(ops.clip(x, ...fourBit)), 'i32') : ops.clip(ops.cast(x, 'i32'), ...fourBit), to);
  if (to === 'float16') return ops.cast(x, 'f16');
  if (to === 'float' || to === 'double' || to === 'bfloat16') return ops.cast(x, 'f32');
  if (to === 'bool') return ops.cast(ops.notEqual(x, 0), 'i32');
  if (isIntegerType(to)) return isFloatTensor(x) ? ops.cast(ops.trunc(x), 'i32') : ops.cast(x, 'i32');
  throw call.error(`cannot cast to ${to}`);
}

function castHost(call: NodeCall, to: ElementType, v: number): number {
  if (isLowBitFloatType(to)) return roundToLowBitFloatValue(v, to, call.int('saturate', 1) !== 0);
  const fourBit = FOUR_BIT_RANGE[to];
  if (fourBit) return roundHalfEven(Math.min(fourBit[1], Math.max(fourBit[0], v)));
  if (to === 'bool') return v !== 0 ? 1 : 0;
  if (to === 'float') return Math.fround(v);
  if (to === 'float16') return f16Value(f16Bits(v));
  if (isIntegerType(to)) return Math.trunc(v);
  return v;
}

function targetType(call: NodeCall): ElementType | 'string' {
  const to = call.int('to');
  const name = to === undefined ? undefined : DATA_TYPES[to];
  if (!name || name.startsWith('complex') || name === 'float8e8m0') {
    throw call.error(`casts to ${name ?? to}, which tmnn does not hold`);
  }
  return name as ElementType | 'string';
}

/** Cast to strings: the numbers read on the host (a GPU's by runAsync), written as onnxruntime writes them (string_cast.ts). */
function castToStrings(call: NodeCall): StringTensor {
  const x = call.anyValue(0);
  if (x instanceof StringTensor) return x;
  const type = call.isConstant(0) ? call.constant(0, 'input').type : (call.elementType(0) ?? 'int64');
  const { shape, values } = hostArray(call, 0, 'casts numbers to strings on the host');
  return new StringTensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => numberToString(values[k], type)), shape);
}

/** Cast between numeric types on the device (host Constants on the host), from strings and to strings on the host. */
const cast: OnnxOp = valuesRead(
  {
    strings: 'reads',
    run: (call) => {
      const to = targetType(call);
      if (to === 'string') return castToStrings(call);
      const x = call.anyValue(0);
      return x instanceof StringTensor ? stringsToNumbers(call, x, to) : castTo(call, call.tensor(0), to);
    },
    host: (call, [x]) => {
      const to = targetType(call);
      if (to === 'string') return castToStrings(call);
      return new Constant(to, x.shape, x.data.map((v) => castHost(call, to, v)));
    },
  },
  0,
  (call) => targetType(call) === 'string',
);

/** Clip: bounds as attributes before opset 11, as optional inputs since. */
const clip: OnnxOp = {
  hostInputs: [1, 2],
  run: (call) => {
    const x = call.tensor(0);
    const bound = (i: number, attr: string) => (call.opset < 11 ? call.float(attr) : call.has(i) ? call.constant(i, attr).data[0] : undefined);
    const lo = bound(1, 'min'), hi = bound(2, 'max');
    if (lo !== undefined && hi !== undefined && lo <= hi) return ops.clip(x, lo, hi);
    let y = x;
    if (lo !== undefined) y = ops.maximum(y, lo);
    if (hi !== undefined) y = ops.minimum(y, hi);
    return y;
  },
};

/** HardSigmoid: max(0, min(1, alpha·x + beta)), ONNX's defaults alpha 0.2, beta 0.5 (PyTorch exports alpha 1/6). */
function hardSigmoid(x: Tensor, alpha: number, beta: number): Tensor {
  return ops.clip(ops.add(ops.mul(x, alpha), beta), 0, 1);
}

function isType(v: Tensor | Constant, test: (t: ElementType) => boolean): boolean {
  return test(v instanceof Constant ? v.type : elementTypeOf(v));
}

export const ELEMENTWISE_OPS: OpTable = {
  Abs: unary(ops.abs, Math.abs),
  Neg: unary(ops.neg, (v) => -v),
  Exp: unary(ops.exp),
  Log: unary(ops.log),
  Sqrt: unary(ops.sqrt, Math.sqrt),
  Reciprocal: unary((x) => ops.div(1, x)),
  Sin: unary(ops.sin),
  Cos: unary(ops.cos),
  Tan: unary(ops.tan),
  Asin: unary(ops.asin),
  Acos: unary(ops.acos),
  Atan: unary(ops.atan),
  Sinh: unary(ops.sinh),
  Cosh: unary(ops.cosh),
  Asinh: unary(ops.asinh),
  Acosh: unary(ops.acosh),
  Atanh: unary(ops.atanh),
  Tanh: unary(ops.tanh),
  Sigmoid: unary(ops.sigmoid),
  Relu: unary(ops.relu),
  Erf: unary(ops.erf),
  Floor: unary(ops.floor, Math.floor),
  Ceil: unary(ops.ceil, Math.ceil),
  // ONNX rounds halves to even, as tmnn's round does.
  Round: unary(ops.round),
  Sign: unary(ops.sign, Math.sign),
  Softplus: unary((x) => F.softplus(x)),
  Softsign: unary(F.softsign),
  Mish: unary(F.mish),
  Not: unary((x) => ops.cast(ops.logicalNot(x), 'i32'), (v) => (v ? 0 : 1)),
  IsNaN: unary((x) => ops.cast(ops.isNaN(x), 'i32')),
  IsInf: {
    run: (call) => {
      const x = call.tensor(0);
      const neg = call.int('detect_negative', 1), pos = call.int('detect_positive', 1);
      const inf = ops.isInf(x);
      const mask = neg && pos ? inf : ops.mul(inf, neg ? ops.less(x, 0) : pos ? ops.greater(x, 0) : 0);
      return ops.cast(mask, 'i32');
    },
  },
  LeakyRelu: { run: (call) => F.leakyRelu(call.tensor(0), call.float('alpha', 0.01)) },
  Elu: { run: (call) => F.elu(call.tensor(0), call.float('alpha', 1)) },
  Celu: { run: (call) => F.celu(call.tensor(0), call.float('alpha', 1)) },
  Selu: {
    run: (call) => {
      const x = call.tensor(0);
      const alpha = call.float('alpha', F.SELU_ALPHA), gamma = call.float('gamma', F.SELU_SCALE);
      return ops.mul(F.elu(x, alpha), gamma);
    },
  },
  ThresholdedRelu: { run: (call) => F.threshold(call.tensor(0), call.float('alpha', 1), 0) },
  HardSigmoid: { run: (call) => hardSigmoid(call.tensor(0), call.float('alpha', 0.2), call.float('beta', 0.5)) },
  HardSwish: { run: (call) => F.hardswish(call.tensor(0)) },
  // Opset 24: x·σ(αx).
  Swish: {
    run: (call) => {
      const x = call.tensor(0), alpha = call.float('alpha', 1);
      return alpha === 1 ? F.silu(x) : ops.mul(x, ops.sigmoid(ops.mul(x, alpha)));
    },
  },
  Gelu: {
    run: (call) => {
      call.refuse('approximate', (v) => v === 'none' || v === 'tanh', `ONNX's Gelu approximates with 'none' or 'tanh'`);
      return F.gelu(call.tensor(0), call.string('approximate', 'none') === 'tanh' ? 'tanh' : 'none');
    },
  },
  Shrink: {
    run: (call) => {
      const x = call.tensor(0);
      const bias = call.float('bias', 0), lambd = call.float('lambd', 0.5);
      return ops.where(ops.less(x, -lambd), ops.add(x, bias), ops.where(ops.greater(x, lambd), ops.sub(x, bias), 0));
    },
  },
  PRelu: {
    run: (call) => {
      const x = call.tensor(0);
      return ops.where(ops.less(x, 0), ops.mul(x, operand(call, 1, x)), x);
    },
  },
  Clip: clip,
  Cast: cast,
  CastLike: {
    run: (call) => castTo(call, call.tensor(0), elementTypeOf(call.tensor(1))),
  },
  Add: binary(ops.add, (a, b) => a + b),
  Sub: binary(ops.sub, (a, b) => a - b),
  Mul: binary(ops.mul, (a, b) => a * b),
  Div: {
    run: (call) => {
      const [a, b] = operands(call);
      return divide(a, b);
    },
    host: (_call, [a, b]) => hostMap('Div', [a, b], a.type, isIntegerType(a.type) ? (x, y) => Math.trunc(x / y) : (x, y) => x / y),
  },
  Pow: binary(ops.pow, (a, b) => a ** b),
  Mod: {
    run: (call) => {
      const [a, b] = operands(call);
      // fmod = 1 keeps the dividend's sign (C's fmod); 0 the divisor's (Python's %), as tmnn's remainder.
      const r = ops.remainder(a, b);
      if (!call.int('fmod', 0)) return r;
      // C's fmod from the floored remainder: the two differ by b where the remainder (b's sign) is non-zero
      // and a's sign is not b's. a − trunc(a/b)·b instead loses digits once a/b is large (f32 rounds the quotient).
      const flip = ops.logicalAnd(r, ops.logicalXor(ops.less(r, 0), ops.less(a, 0)));
      return ops.where(flip, ops.sub(r, b), r);
    },
    host: (call, [a, b]) => hostMap('Mod', [a, b], a.type, call.int('fmod', 0) ? (x, y) => x % y : (x, y) => x - Math.floor(x / y) * y),
  },
  Max: variadic(ops.maximum, Math.max),
  Min: variadic(ops.minimum, Math.min),
  Sum: variadic(ops.add, (a, b) => a + b),
  Mean: variadic(ops.add, (a, b) => a + b, true),
  // Strings too (opset 19), on the host.
  Equal: orStrings(binary((a, b) => ops.cast(ops.equal(a, b), 'i32'), (a, b) => +(a === b), true), equalStrings),
  Less: binary((a, b) => ops.cast(ops.less(a, b), 'i32'), (a, b) => +(a < b), true),
  LessOrEqual: binary((a, b) => ops.cast(ops.lessEqual(a, b), 'i32'), (a, b) => +(a <= b), true),
  Greater: binary((a, b) => ops.cast(ops.greater(a, b), 'i32'), (a, b) => +(a > b), true),
  GreaterOrEqual: binary((a, b) => ops.cast(ops.greaterEqual(a, b), 'i32'), (a, b) => +(a >= b), true),
  And: binary((a, b) => ops.cast(ops.logicalAnd(a, b), 'i32'), (a, b) => +(!!a && !!b), true),
  Or: binary((a, b) => ops.cast(ops.logicalOr(a, b), 'i32'), (a, b) => +(!!a || !!b), true),
  Xor: binary((a, b) => ops.cast(ops.logicalXor(a, b), 'i32'), (a, b) => +(!!a !== !!b), true),
  Where: {
    strings: 'selects',
    run: (call) => {
      const cond = call.tensor(0);
      const a = call.value(1), b = call.value(2);
      // Keep the branches' type: a float branch beside an int Constant (a scalar 0) stays float.
      const float = isType(a, (t) => !isIntegerType(t) && t !== 'bool') || isType(b, (t) => !isIntegerType(t) && t !== 'bool');
      const y = ops.where(cond, operand(call, 1, cond), operand(call, 2, cond));
      return float || y.dtype !== 'f32' ? y : ops.cast(y, 'i32');
    },
    host: (_call, [c, a, b]) => hostMap('Where', [c, a, b], a.type, (cv, av, bv) => (cv ? av : bv)),
  },
};
