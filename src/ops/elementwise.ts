// Elementwise ops: unary maps and broadcasting binary ops, each declared once
// with its dtype rule and its gradient. Kernels live in the backends
// (Kernels.unary/binary/where).
import type { BinaryOp, UnaryOp } from '../backends/kernels.js';
import { floatDTypeOf, isFloat, promoteTypes, type DType } from '../dtype.js';
import { backendFor } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { broadcastShapes } from '../shape.js';
import { noGrad, record } from '../tape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { sumToShape } from './reduce.js';
import { checkTensor, computed, fromStorage, withCasts, withTensors } from './util.js';

/** neg, abs, sign, relu and the roundings keep an int dtype; the rest give floats (exp of i32 → f32). */
const KEEPS_INT: ReadonlySet<UnaryOp> = new Set(['neg', 'abs', 'sign', 'relu', 'floor', 'ceil', 'round', 'trunc']);

/** d(op(x))/dx · dy, from x, y = op(x) and dy. */
const UNARY_GRADS: Record<UnaryOp, (x: Tensor, y: Tensor, dy: Tensor) => Tensor> = {
  neg: (_x, _y, dy) => neg(dy),
  abs: (x, _y, dy) => mul(dy, sign(x)),
  sign: (_x, _y, dy) => mul(dy, 0),
  exp: (_x, y, dy) => mul(dy, y),
  log: (x, _y, dy) => div(dy, x),
  sqrt: (_x, y, dy) => div(dy, mul(y, 2)),
  relu: (x, _y, dy) => mul(dy, greater(x, 0)),
  sigmoid: (_x, y, dy) => mul(dy, mul(y, sub(1, y))),
  tanh: (_x, y, dy) => mul(dy, sub(1, mul(y, y))),
  // Steps: 0 everywhere (at the jumps too), as PyTorch's.
  floor: (_x, _y, dy) => mul(dy, 0),
  ceil: (_x, _y, dy) => mul(dy, 0),
  round: (_x, _y, dy) => mul(dy, 0),
  sin: (x, _y, dy) => mul(dy, cos(x)),
  cos: (x, _y, dy) => neg(mul(dy, sin(x))),
  // erf' = 2/√π · e^(−x²).
  erf: (x, _y, dy) => mul(dy, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI))),
  log1p: (x, _y, dy) => div(dy, add(x, 1)),
  expm1: (_x, y, dy) => mul(dy, add(y, 1)),
  tan: (_x, y, dy) => mul(dy, add(mul(y, y), 1)),
  asin: (x, _y, dy) => div(dy, sqrt(oneMinusSquare(x))),
  acos: (x, _y, dy) => neg(div(dy, sqrt(oneMinusSquare(x)))),
  atan: (x, _y, dy) => div(dy, add(mul(x, x), 1)),
  sinh: (x, _y, dy) => mul(dy, cosh(x)),
  cosh: (x, _y, dy) => mul(dy, sinh(x)),
  asinh: (x, _y, dy) => div(dy, hypotOne(x)),
  // √(x − 1)·√(x + 1) rather than √(x² − 1), which loses digits near 1.
  acosh: (x, _y, dy) => div(dy, mul(sqrt(sub(x, 1)), sqrt(add(x, 1)))),
  atanh: (x, _y, dy) => div(dy, oneMinusSquare(x)),
  trunc: (_x, _y, dy) => mul(dy, 0),
};

/**
 * √(x² + 1) as s·√(1 + (t/s)²) with s = max(|x|, 1), t = min(|x|, 1): x²
 * overflows f32 past 1.8e19, where asinh's gradient 1/√(x² + 1) is still
 * 5e-20, not 0; and t/s is 0, not ∞/∞, at x = ±∞, where the gradient is 0.
 */
function hypotOne(x: Tensor): Tensor {
  const a = abs(x);
  const s = maximum(a, 1);
  return mul(s, sqrt(add(square(div(minimum(a, 1), s)), 1)));
}

/** 1 − x² as (1 − x)(1 + x), exact-ish near ±1 where 1 − x·x cancels. */
function oneMinusSquare(x: Tensor): Tensor {
  return mul(sub(1, x), add(x, 1));
}

function unaryOp(op: UnaryOp, x: Tensor): Tensor {
  checkTensor(op, x);
  const outDtype = KEEPS_INT.has(op) ? x.dtype : floatDTypeOf(x.dtype);
  const backend = x.dataRef(op).backend;
  const y = withCasts([x], outDtype, ([cx]) => fromStorage(backend, backend.unary(op, cx.info(op)), x.shape, outDtype));
  return record(y, op, [x], [x, y], (dy, [sx, sy]) => [UNARY_GRADS[op](sx, sy, dy)]);
}

/** The result dtype of a binary op: the operands' common dtype, except int ÷ int and atan2 of ints, which are floats. */
function binaryDType(op: BinaryOp, a: DType, b: DType): DType {
  const common = promoteTypes(a, b);
  return (op === 'div' || op === 'atan2') && !isFloat(common) ? 'f32' : common;
}

/** Gradients of a binary op with respect to a and b, before summing over broadcast axes. */
const BINARY_GRADS: Partial<Record<BinaryOp, (a: Tensor, b: Tensor, y: Tensor, dy: Tensor, needs: readonly boolean[]) => (Tensor | null)[]>> = {
  add: (_a, _b, _y, dy) => [dy, dy],
  sub: (_a, _b, _y, dy) => [dy, neg(dy)],
  mul: (a, b, _y, dy) => [mul(dy, b), mul(dy, a)],
  div: (a, b, _y, dy) => [div(dy, b), neg(div(mul(dy, a), mul(b, b)))],
  // At a = 0 the formulas meet 0 · ∞: the limits are taken instead (as PyTorch does). a^0 is the
  // constant 1, so d/da is 0; and a^b · ln a → 0 as a → 0 for b ≥ 0 (at b = 0, from a > 0).
  pow: (a, b, y, dy, needs) => [
    mul(dy, where(equal(b, 0), 0, mul(b, pow(a, sub(b, 1))))),
    needs[1] ? mul(dy, where(zeroBase(a, b), 0, mul(y, log(a)))) : null,
  ],
  // Ties split the gradient evenly between a and b, as PyTorch's maximum does (and max over an axis here).
  maximum: (a, b, _y, dy) => [mul(dy, winsOrHalf(greater(a, b), a, b)), mul(dy, winsOrHalf(less(a, b), a, b))],
  minimum: (a, b, _y, dy) => [mul(dy, winsOrHalf(less(a, b), a, b)), mul(dy, winsOrHalf(greater(a, b), a, b))],
  // ∂/∂a = b/(a² + b²), ∂/∂b = −a/(a² + b²) for atan2(a, b).
  atan2: (a, b, _y, dy) => {
    const scale = div(dy, add(mul(a, a), mul(b, b)));
    return [mul(scale, b), neg(mul(scale, a))];
  },
  // a − b·⌊a/b⌋: 1 for a, −⌊a/b⌋ for b (PyTorch's; the jumps are left out).
  remainder: (a, b, _y, dy) => [dy, neg(mul(dy, floor(div(a, b))))],
};

/** 1 where a side won, ½ where a and b tie, else 0. */
function winsOrHalf(wins: Tensor, a: Tensor, b: Tensor): Tensor {
  return add(wins, mul(equal(a, b), 0.5));
}

/** 1 where a = 0 and b ≥ 0 (where a^b · ln a is taken as its limit, 0), else 0. */
function zeroBase(a: Tensor, b: Tensor): Tensor {
  return mul(equal(a, 0), greaterEqual(b, 0));
}

function binaryOp(op: BinaryOp, a: TensorLike, b: TensorLike): Tensor {
  return withTensors(op, a, b, (ta, tb, backend) => {
    const outShape = broadcastShapes(op, ta.shape, tb.shape);
    const outDtype = binaryDType(op, ta.dtype, tb.dtype);
    const y = withCasts([ta, tb], outDtype, ([ca, cb]) =>
      computed(op, backend, outShape, outDtype, () => backend.binary(op, ca.info(op), cb.info(op), outShape)));
    const grad = BINARY_GRADS[op];
    if (!grad) return y; // comparisons have no gradient
    return record(y, op, [ta, tb], [ta, tb, y], (dy, [sa, sb, sy], needs) =>
      grad(sa, sb, sy, dy, needs).map((g, i) => g && sumToShape(g, (i === 0 ? sa : sb).shape)));
  });
}

export const neg = (x: Tensor): Tensor => unaryOp('neg', x);
export const abs = (x: Tensor): Tensor => unaryOp('abs', x);
/** -1, 0 or 1 (NaN stays NaN). */
export const sign = (x: Tensor): Tensor => unaryOp('sign', x);
export const exp = (x: Tensor): Tensor => unaryOp('exp', x);
export const log = (x: Tensor): Tensor => unaryOp('log', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
export const relu = (x: Tensor): Tensor => unaryOp('relu', x);
export const sigmoid = (x: Tensor): Tensor => unaryOp('sigmoid', x);
export const tanh = (x: Tensor): Tensor => unaryOp('tanh', x);
/** Largest integer ≤ x (ints unchanged). */
export const floor = (x: Tensor): Tensor => unaryOp('floor', x);
/** Smallest integer ≥ x (ints unchanged). */
export const ceil = (x: Tensor): Tensor => unaryOp('ceil', x);
/** Nearest integer, halves to the even one (2.5 → 2, as NumPy and PyTorch; ints unchanged). */
export const round = (x: Tensor): Tensor => unaryOp('round', x);
export const sin = (x: Tensor): Tensor => unaryOp('sin', x);
export const cos = (x: Tensor): Tensor => unaryOp('cos', x);
/** The error function, 2/√π ∫₀ˣ e^(−t²) dt (exact GELU's). */
export const erf = (x: Tensor): Tensor => unaryOp('erf', x);
/** log(1 + x), accurate where x is small (1 + x would round x away). */
export const log1p = (x: Tensor): Tensor => unaryOp('log1p', x);
/** eˣ − 1, accurate where x is small. */
export const expm1 = (x: Tensor): Tensor => unaryOp('expm1', x);
export const tan = (x: Tensor): Tensor => unaryOp('tan', x);
/** arcsin, in [−π/2, π/2]; NaN outside [−1, 1]. */
export const asin = (x: Tensor): Tensor => unaryOp('asin', x);
/** arccos, in [0, π]; NaN outside [−1, 1]. */
export const acos = (x: Tensor): Tensor => unaryOp('acos', x);
/** arctan, in (−π/2, π/2). */
export const atan = (x: Tensor): Tensor => unaryOp('atan', x);
export const sinh = (x: Tensor): Tensor => unaryOp('sinh', x);
export const cosh = (x: Tensor): Tensor => unaryOp('cosh', x);
export const asinh = (x: Tensor): Tensor => unaryOp('asinh', x);
/** NaN below 1. */
export const acosh = (x: Tensor): Tensor => unaryOp('acosh', x);
/** ±∞ at ±1, NaN beyond. */
export const atanh = (x: Tensor): Tensor => unaryOp('atanh', x);
/** The integer part, toward zero (ints unchanged). */
export const trunc = (x: Tensor): Tensor => unaryOp('trunc', x);

export const add = (a: TensorLike, b: TensorLike): Tensor => binaryOp('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binaryOp('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mul', a, b);
/** True division: ints give f32. */
export const div = (a: TensorLike, b: TensorLike): Tensor => binaryOp('div', a, b);
export const pow = (a: TensorLike, b: TensorLike): Tensor => binaryOp('pow', a, b);
export const maximum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('maximum', a, b);
export const minimum = (a: TensorLike, b: TensorLike): Tensor => binaryOp('minimum', a, b);
/** The angle of the point (b, a) from the positive x axis, in [−π, π], as C's atan2(y, x): the quadrant from both signs. */
export const atan2 = (a: TensorLike, b: TensorLike): Tensor => binaryOp('atan2', a, b);
/**
 * a − b·⌊a/b⌋, with b's sign (Python's %, PyTorch's remainder, NumPy's mod),
 * exact for floats; for ints x rem 0 is 0, as x ÷ 0 is here.
 */
export const remainder = (a: TensorLike, b: TensorLike): Tensor => binaryOp('remainder', a, b);
export const equal = (a: TensorLike, b: TensorLike): Tensor => binaryOp('equal', a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('notEqual', a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => binaryOp('less', a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lessEqual', a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greater', a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greaterEqual', a, b);

export const square = (x: Tensor): Tensor => mul(checkTensor('square', x), x);

/** Limits values to [min, max]. */
export function clip(x: Tensor, min: number, max: number): Tensor {
  checkTensor('clip', x);
  if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max)) {
    throw new ValueError(`clip: min and max must be numbers, got ${formatValue(min)} and ${formatValue(max)}`);
  }
  if (!(min <= max)) throw new ValueError(`clip: min ${min} is greater than max ${max}`);
  const y = noGrad(() => {
    const low = maximum(x, min);
    try {
      return minimum(low, max);
    } finally {
      low.dispose();
    }
  });
  // Gradient 1 on all of [min, max], its ends included, as PyTorch's clamp (maximum and minimum halve it at ties).
  return record(y, 'clip', [x], [x], (dy, [sx]) => [mul(dy, mul(greaterEqual(sx, min), lessEqual(sx, max)))]);
}

/** Picks a where cond is non-zero, else b, broadcasting all three. */
export function where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
  checkTensor('where', cond, 'cond');
  return withTensors('where', a, b, (ta, tb, backend) => {
    backendFor('where', [cond.dataRef('where'), ta.dataRef('where')]);
    const outShape = broadcastShapes('where', broadcastShapes('where', cond.shape, ta.shape), tb.shape);
    const outDtype = promoteTypes(ta.dtype, tb.dtype);
    const y = withCasts([ta, tb], outDtype, ([ca, cb]) =>
      computed('where', backend, outShape, outDtype, () => backend.where(cond.info('where'), ca.info('where'), cb.info('where'), outShape)));
    return record(y, 'where', [ta, tb], [cond, ta, tb], (dy, [sc, sa, sb]) => [
      sumToShape(where(sc, dy, 0), sa.shape),
      sumToShape(where(sc, 0, dy), sb.shape),
    ]);
  });
}
