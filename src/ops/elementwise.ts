// Elementwise ops: unary maps and broadcasting binary ops, each declared once
// with its dtype rule and its gradient. Kernels live in the backends
// (Kernels.unary/binary/where).
import type { BinaryOp, BitwiseOp, UnaryOp } from '../backends/kernels.js';
import { floatDTypeOf, isFloat, promoteTypes, type DType } from '../dtype.js';
import { backendFor, tidy } from '../engine.js';
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { broadcastShapes } from '../shape.js';
import { noGrad, record } from '../tape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { polygammaSeries } from './polygamma.js';
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
  // erfc' = −2/√π · e^(−x²).
  erfc: (x, _y, dy) => mul(dy, mul(exp(neg(mul(x, x))), -2 / Math.sqrt(Math.PI))),
  lgamma: (x, _y, dy) => mul(dy, digamma(x)),
  digamma: (x, _y, dy) => mul(dy, trigamma(x)),
  trigamma: (x, _y, dy) => mul(dy, polygammaSeries(2, x)),
  // erfinv' = √π/2 · e^(erfinv(x)²), the reciprocal of erf' at y.
  erfinv: (_x, y, dy) => mul(dy, mul(exp(mul(y, y)), Math.sqrt(Math.PI) / 2)),
  // (cos πx − sinc x)/x, and 0 at x = 0 (sinc is even there), as PyTorch's.
  sinc: (x, y, dy) => mul(dy, where(equal(x, 0), 0, div(sub(cos(mul(x, Math.PI)), y), x))),
  logit: (x, _y, dy) => div(dy, mul(x, sub(1, x))),
  i0: (x, _y, dy) => mul(dy, i1(x)),
  // I₁' = I₀ − I₁/x, ½ at 0.
  i1: (x, y, dy) => mul(dy, where(equal(x, 0), 0.5, sub(i0(x), div(y, x)))),
  log2: (x, _y, dy) => div(dy, mul(x, Math.LN2)),
  log10: (x, _y, dy) => div(dy, mul(x, Math.LN10)),
  exp2: (_x, y, dy) => mul(dy, mul(y, Math.LN2)),
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

/** Binary ops whose result is a float for int operands too. */
const FLOAT_RESULT: ReadonlySet<BinaryOp> = new Set(['div', 'atan2', 'xlogy', 'logaddexp', 'hypot', 'copysign']);

/**
 * The result dtype of a binary op: the operands' common dtype, except int ÷
 * int, atan2 and the other float-valued ops of ints, which are floats — unless
 * `intResult` asks for the int kernel (div rounding toward zero).
 */
function binaryDType(op: BinaryOp, a: DType, b: DType, intResult: boolean): DType {
  const common = promoteTypes(a, b);
  return FLOAT_RESULT.has(op) && !isFloat(common) && !intResult ? 'f32' : common;
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
  // log b where a ≠ 0, else 0 (PyTorch's xlogy(a ≠ 0, b)); a/b for b.
  xlogy: (a, b, _y, dy) => [mul(dy, xlogy(notEqual(a, 0), b)), div(mul(dy, a), b)],
  // eᵃ/(eᵃ + eᵇ) = σ(a − b), and σ(b − a) for b.
  logaddexp: (a, b, _y, dy) => [mul(dy, sigmoid(sub(a, b))), mul(dy, sigmoid(sub(b, a)))],
  hypot: (a, b, y, dy) => [mul(dy, div(a, y)), mul(dy, div(b, y))],
  // ±1 by whether the sign changed, 0 at a = 0 (PyTorch's); none for b, whose sign alone counts.
  copysign: (a, _b, y, dy) => [mul(dy, where(equal(a, 0), 0, div(y, a))), mul(dy, 0)],
  // A step function: zero almost everywhere (PyTorch's for rounded division).
  floorDivide: (_a, _b, _y, dy) => [mul(dy, 0), mul(dy, 0)],
};

/** 1 where a side won, ½ where a and b tie, else 0. */
function winsOrHalf(wins: Tensor, a: Tensor, b: Tensor): Tensor {
  return add(wins, mul(equal(a, b), 0.5));
}

/** 1 where a = 0 and b ≥ 0 (where a^b · ln a is taken as its limit, 0), else 0. */
function zeroBase(a: Tensor, b: Tensor): Tensor {
  return mul(equal(a, 0), greaterEqual(b, 0));
}

function binaryOp(op: BinaryOp, a: TensorLike, b: TensorLike, intResult = false): Tensor {
  return withTensors(op, a, b, (ta, tb, backend) => {
    const outShape = broadcastShapes(op, ta.shape, tb.shape);
    const outDtype = binaryDType(op, ta.dtype, tb.dtype, intResult);
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
/** log₂ x: exactly n at 2ⁿ; −∞ at 0, NaN below. */
export const log2 = (x: Tensor): Tensor => unaryOp('log2', x);
/** log₁₀ x: exactly n at 10ⁿ; −∞ at 0, NaN below. */
export const log10 = (x: Tensor): Tensor => unaryOp('log10', x);
/** 2ˣ: exactly 2ⁿ at whole n, into f32's subnormals (where a device flushes them, 0). */
export const exp2 = (x: Tensor): Tensor => unaryOp('exp2', x);
export const sqrt = (x: Tensor): Tensor => unaryOp('sqrt', x);
/** x checked, and in f32 where it holds integers. */
function asFloat(op: string, x: Tensor): Tensor {
  return isFloat(checkTensor(op, x).dtype) ? x : x.cast('f32');
}

/** 1/x, one correctly rounded division (torch.reciprocal; ints give f32). */
export const reciprocal = (x: Tensor): Tensor => div(1, checkTensor('reciprocal', x));
/** 1/√x (torch.rsqrt): ∞ at 0, NaN below, within an ulp (two roundings). */
export const rsqrt = (x: Tensor): Tensor => tidy(() => div(1, sqrt(checkTensor('rsqrt', x))));
/** Degrees as radians, x·π/180 (np.deg2rad, torch.deg2rad; ints give f32). */
export const deg2rad = (x: Tensor): Tensor => tidy(() => mul(asFloat('deg2rad', x), Math.PI / 180));
/** Radians as degrees, x·180/π (np.rad2deg, torch.rad2deg; ints give f32). */
export const rad2deg = (x: Tensor): Tensor => tidy(() => mul(asFloat('rad2deg', x), 180 / Math.PI));
/** x − trunc(x), the fractional part with x's sign (torch.frac; 0 for ints). The gradient is 1. */
export const frac = (x: Tensor): Tensor => tidy(() => sub(checkTensor('frac', x), unaryOp('trunc', x)));
/** 1 where x's sign bit is set (torch.signbit, np.signbit): negative numbers, −0 and −∞ (a NaN's sign too, where a backend keeps it), as less's result. */
export const signbit = (x: Tensor): Tensor => tidy(() => (isFloat(checkTensor('signbit', x).dtype) ? less(copysign(1, x), 0) : less(x, 0)));
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
/** 1 − erf(x), accurate where it is small (out to x ≈ 10, where it leaves f32's subnormals), 2 at −∞. */
export const erfc = (x: Tensor): Tensor => unaryOp('erfc', x);
/** The inverse of erf on (−1, 1): ±∞ at ±1, NaN outside. */
export const erfinv = (x: Tensor): Tensor => unaryOp('erfinv', x);
/** log|Γ(x)| (C's and PyTorch's lgamma): +∞ at 0, the negative integers and ±∞. */
export const lgamma = (x: Tensor): Tensor => unaryOp('lgamma', x);
/**
 * ψ(x) = Γ′(x)/Γ(x), the derivative of lgamma (PyTorch's digamma): −∞ at +0
 * and +∞ at −0, NaN at the negative integers and at −∞. Its gradient is
 * polygamma(1, x).
 */
export const digamma = (x: Tensor): Tensor => unaryOp('digamma', x);
const trigamma = (x: Tensor): Tensor => unaryOp('trigamma', x);
/**
 * ψ⁽ⁿ⁾(x), the n-th derivative of digamma (PyTorch's polygamma): n = 0 is
 * digamma, n = 1 trigamma (+∞ at 0 and the negative integers), both kernels
 * defined on the whole line; n ≥ 2 a series of ops (src/ops/polygamma.ts),
 * reflected below 0: (−1)ⁿ⁺¹·∞ at 0, the negative integers and −∞, as PyTorch's.
 * Differentiable to any order: each one's gradient is the next.
 */
export function polygamma(n: number, x: Tensor): Tensor {
  if (!Number.isInteger(n) || n < 0) throw new ValueError(`polygamma: n must be an integer ≥ 0, got ${formatValue(n)}`);
  checkTensor('polygamma', x);
  return n === 0 ? digamma(x) : n === 1 ? trigamma(x) : polygammaSeries(n, x);
}
/** I₀, the modified Bessel function of the first kind of order 0 (Kaiser windows'): even, 1 at 0, overflowing f32 past 91.9. */
export const i0 = (x: Tensor): Tensor => unaryOp('i0', x);
/** I₁, of order 1: odd, I₀'s derivative. */
export const i1 = (x: Tensor): Tensor => unaryOp('i1', x);
/** The normalised sinc, sin(πx)/(πx): 1 at 0, exactly 0 at the other integers. */
export const sinc = (x: Tensor): Tensor => unaryOp('sinc', x);

/** logit's option. */
export interface LogitOptions {
  /** x is clamped to [eps, 1 − eps] first (PyTorch's eps; the gradient is 0 outside): none by default, so logit is ∓∞ at 0 and 1. */
  eps?: number;
}
const LOGIT_OPTIONS: OptionNames<LogitOptions> = { eps: true };

/** log(x/(1 − x)), the inverse of sigmoid: ∓∞ at 0 and 1, NaN outside [0, 1] (unless clamped by `eps`). */
export function logit(x: Tensor, options: LogitOptions = {}): Tensor {
  checkTensor('logit', x);
  const { eps } = checkOptions('logit', options, LOGIT_OPTIONS);
  if (eps === undefined) return unaryOp('logit', x);
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 0.5)) throw new ValueError(`logit: eps must be a number in [0, 0.5], got ${formatValue(eps)}`);
  return tidy(() => unaryOp('logit', clip(x, eps, 1 - eps)));
}

export const add = (a: TensorLike, b: TensorLike): Tensor => binaryOp('add', a, b);
export const sub = (a: TensorLike, b: TensorLike): Tensor => binaryOp('sub', a, b);
export const mul = (a: TensorLike, b: TensorLike): Tensor => binaryOp('mul', a, b);
export interface DivOptions {
  /**
   * PyTorch's rounding_mode: 'trunc' rounds the quotient toward zero, 'floor'
   * down (Python's //, as floorDivide). Ints then stay ints, divided exactly
   * (x ÷ 0 is 0); floats stay floats, with no gradient (a step function).
   * Default: true division, where ints give f32.
   */
  roundingMode?: 'trunc' | 'floor';
}

const DIV_OPTIONS: OptionNames<DivOptions> = { roundingMode: true };

/** a ÷ b: true division (ints give f32), or rounded as options.roundingMode says. */
export function div(a: TensorLike, b: TensorLike, options?: DivOptions): Tensor {
  const { roundingMode } = options === undefined ? {} : checkOptions('div', options, DIV_OPTIONS);
  if (roundingMode === undefined) return binaryOp('div', a, b);
  if (roundingMode === 'floor') return floorDivide(a, b);
  if (roundingMode !== 'trunc') throw new ValueError(`div: roundingMode must be 'trunc' or 'floor', got ${formatValue(roundingMode)}`);
  // Ints: every backend's int kernel for div truncates, exactly. Floats: the true quotient truncated.
  return withTensors('div', a, b, (ta, tb) => (isFloat(promoteTypes(ta.dtype, tb.dtype)) ? tidy(() => trunc(binaryOp('div', ta, tb))) : binaryOp('div', ta, tb, true)));
}

/**
 * ⌊a/b⌋, Python's // (PyTorch's floor_divide, NumPy's): ints stay ints,
 * exact (x ÷ 0 is 0); floats as Python's float //, consistent with
 * remainder (a = b·⌊a/b⌋ + remainder(a, b) up to rounding), b = 0 giving
 * ±∞ or NaN. No gradient (a step function: zero).
 */
export const floorDivide = (a: TensorLike, b: TensorLike): Tensor => binaryOp('floorDivide', a, b);
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
/**
 * a − b·trunc(a/b), with a's sign (C's fmod, PyTorch's and NumPy's fmod):
 * for floats remainder's of |a| and |b| (which agree with fmod's, exact)
 * given a's sign, so a zero is signed as a and a finite a over ±∞ is a;
 * for ints exact and wrapping, x fmod 0 being 0 as x ÷ 0 is here.
 */
export function fmod(a: TensorLike, b: TensorLike): Tensor {
  return withTensors('fmod', a, b, (ta, tb) => tidy(() => {
    if (isFloat(promoteTypes(ta.dtype, tb.dtype))) return copysign(remainder(abs(ta), abs(tb)), ta);
    return where(equal(tb, 0), 0, sub(ta, mul(tb, div(ta, tb, { roundingMode: 'trunc' }))));
  }));
}
/** a·log b, 0 where a = 0 (even where b = 0), NaN where b is NaN (PyTorch's xlogy); a float for ints. */
export const xlogy = (a: TensorLike, b: TensorLike): Tensor => binaryOp('xlogy', a, b);
/** log(eᵃ + eᵇ) without overflow: max(a, b) + log1p(e^−|a − b|); a float for ints. */
export const logaddexp = (a: TensorLike, b: TensorLike): Tensor => binaryOp('logaddexp', a, b);
/** √(a² + b²) without overflow or underflow in between; ∞ where either is ±∞, NaN included (C's hypot). */
export const hypot = (a: TensorLike, b: TensorLike): Tensor => binaryOp('hypot', a, b);
/** log₂(2ᵃ + 2ᵇ) without overflow (np.logaddexp2, torch.logaddexp2): logaddexp of a·ln 2 and b·ln 2, over ln 2. */
export const logaddexp2 = (a: TensorLike, b: TensorLike): Tensor => tidy(() => div(logaddexp(mul(a, Math.LN2), mul(b, Math.LN2)), Math.LN2));
/** x·2ᵉ (torch.ldexp, np.ldexp): exact where 2ᵉ and the product are normal; in x's float dtype (ints give f32), as PyTorch's x·2^e. */
export const ldexp = (x: TensorLike, e: TensorLike): Tensor => tidy(() => withTensors('ldexp', x, e, (a, b) => mul(isFloat(a.dtype) ? a : a.cast('f32'), exp2(isFloat(b.dtype) ? b : b.cast('f32')))));

/** |a| with b's sign (of zeros too); a NaN b counts as positive. A float for ints. */
export const copysign = (a: TensorLike, b: TensorLike): Tensor => binaryOp('copysign', a, b);
export const equal = (a: TensorLike, b: TensorLike): Tensor => binaryOp('equal', a, b);
export const notEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('notEqual', a, b);
export const less = (a: TensorLike, b: TensorLike): Tensor => binaryOp('less', a, b);
export const lessEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('lessEqual', a, b);
export const greater = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greater', a, b);
export const greaterEqual = (a: TensorLike, b: TensorLike): Tensor => binaryOp('greaterEqual', a, b);

/**
 * A bitwise op of ints (i32, i8; broadcasting, the common dtype as for add):
 * a float operand, or a fractional number, is refused, as PyTorch's. No
 * gradient: integer results, as the comparisons.
 */
function bitwiseOp(op: BitwiseOp, a: TensorLike, b: TensorLike): Tensor {
  return withTensors(op, a, b, (ta, tb) => {
    for (const [name, given, t] of [['a', a, ta], ['b', b, tb]] as const) {
      if (isFloat(t.dtype)) throw new DTypeError(`${op}: ${name} must hold integers (i32 or i8), got ${typeof given === 'number' ? `the number ${formatValue(given)}` : `a ${t.dtype} tensor`}`);
    }
    return binaryOp(op, ta, tb);
  });
}

/** a AND b, bit by bit (PyTorch's bitwise_and): ints only. */
export const bitwiseAnd = (a: TensorLike, b: TensorLike): Tensor => bitwiseOp('bitwiseAnd', a, b);
/** a OR b, bit by bit (PyTorch's bitwise_or): ints only. */
export const bitwiseOr = (a: TensorLike, b: TensorLike): Tensor => bitwiseOp('bitwiseOr', a, b);
/** a XOR b, bit by bit (PyTorch's bitwise_xor): ints only. */
export const bitwiseXor = (a: TensorLike, b: TensorLike): Tensor => bitwiseOp('bitwiseXor', a, b);
/** NOT x, every bit flipped (PyTorch's bitwise_not, ~x): −1 − x in two's complement, lowered as x XOR −1. Ints only. */
export function bitwiseNot(x: Tensor): Tensor {
  checkTensor('bitwiseNot', x);
  if (isFloat(x.dtype)) throw new DTypeError(`bitwiseNot: x must hold integers (i32 or i8), got a ${x.dtype} tensor`);
  return bitwiseOp('bitwiseXor', x, -1);
}
/**
 * a << b (PyTorch's bitwise_left_shift), wrapping to the dtype's width: ints
 * only. A shift by a negative amount, or by the width (8 for i8, 32 for i32)
 * or more, gives 0, as PyTorch's CPU kernel (C++ leaves it undefined).
 */
export const bitwiseLeftShift = (a: TensorLike, b: TensorLike): Tensor => bitwiseOp('bitwiseLeftShift', a, b);
/**
 * a >> b, arithmetic (the sign bit fills in; PyTorch's bitwise_right_shift):
 * ints only. A shift by a negative amount, or by the width or more, gives
 * the sign's fill, 0 or −1, as PyTorch's CPU kernel.
 */
export const bitwiseRightShift = (a: TensorLike, b: TensorLike): Tensor => bitwiseOp('bitwiseRightShift', a, b);

export const square = (x: Tensor): Tensor => mul(checkTensor('square', x), x);

/** The step function (np.heaviside): 0 where x < 0, 1 where x > 0, `values` where x is 0 (broadcasting), NaN where x is NaN. */
export function heaviside(x: Tensor, values: TensorLike): Tensor {
  checkTensor('heaviside', x);
  // Comparisons give 1 or 0 in x's dtype; values must share it (where says so otherwise).
  return withTensors('heaviside', x, values, (tx, tv) => tidy(() => where(equal(tx, 0), tv, where(notEqual(tx, tx), tx, greater(tx, 0)))));
}

/**
 * a + w·(b − a), broadcasting all three, as PyTorch's lerp: b − (1 − w)·(b − a)
 * where |w| ≥ ½, so w = 1 gives b exactly.
 */
export function lerp(a: TensorLike, b: TensorLike, w: TensorLike): Tensor {
  if (typeof w !== 'number') checkTensor('lerp', w, 'w');
  return withTensors('lerp', a, b, (ta, tb) => {
    if (typeof w !== 'number') broadcastShapes('lerp', broadcastShapes('lerp', ta.shape, tb.shape), w.shape);
    return tidy(() => {
      const d = sub(tb, ta);
      if (typeof w === 'number') return Math.abs(w) < 0.5 ? add(ta, mul(d, w)) : sub(tb, mul(d, 1 - w));
      // The choice is taken without a gradient: abs recorded on w would hold its inputs, never reached by backward.
      const near = noGrad(() => less(abs(w), 0.5));
      return where(near, add(ta, mul(w, d)), sub(tb, mul(sub(1, w), d)));
    });
  });
}

/**
 * Limits values to [min, max] (np.clip, torch.clamp): each bound a number,
 * a tensor broadcast against x (the result their broadcast shape), or null
 * for none. Numbers must have min ≤ max; where tensor bounds cross, the
 * result is max, as PyTorch's. Gradient 1 to x on all of [min, max], its
 * ends included, as PyTorch's clamp; a tensor bound gets dy where it was
 * the result.
 */
export function clip(x: Tensor, min: TensorLike | null, max: TensorLike | null): Tensor {
  checkTensor('clip', x);
  const bad = (v: unknown) => v !== null && !(typeof v === 'number' && !Number.isNaN(v)) && !(typeof v === 'object' && 'dtype' in v);
  if (bad(min) || bad(max) || (min === null && max === null)) {
    throw new ValueError(`clip: min and max must be numbers, tensors or null (not both), got ${formatValue(min)} and ${formatValue(max)}`);
  }
  if (typeof min === 'number' && typeof max === 'number' && !(min <= max)) throw new ValueError(`clip: min ${min} is greater than max ${max}`);
  const [lo, hi] = [min === null ? null : typeof min === 'number' ? min : checkTensor('clip', min, 'min'), max === null ? null : typeof max === 'number' ? max : checkTensor('clip', max, 'max')];
  // A missing bound is left out, not taken as ∓∞: an int x stays int.
  const y = noGrad(() => tidy(() => (hi === null ? maximum(x, lo!) : minimum(lo === null ? x : maximum(x, lo), hi))));
  const tensors = [lo, hi].filter((b): b is Tensor => b !== null && typeof b !== 'number');
  return record(y, 'clip', [x, ...tensors], [x, ...tensors], (dy, [sx, ...saved]) => {
    const [slo, shi] = [typeof lo === 'object' && lo ? saved[0] : lo, typeof hi === 'object' && hi ? saved[saved.length - 1] : hi];
    // x's: 1 within [min, max], its ends included, as PyTorch's clamp (a NaN x is not within).
    const within = [slo === null ? null : greaterEqual(sx, slo), shi === null ? null : lessEqual(sx, shi)].filter((m): m is Tensor => m !== null);
    const grads = [sumToShape(mul(dy, within.length === 2 ? mul(within[0], within[1]) : within[0]), sx.shape)];
    if (!saved.length) return grads;
    // A tensor bound's where it is the result: max where it is below max(x, min), else min where x is below that.
    const byMax = shi === null ? null : greater(slo === null ? sx : maximum(sx, slo), shi);
    if (typeof lo === 'object' && lo) grads.push(sumToShape(mul(dy, byMax ? mul(less(sx, saved[0]), equal(byMax, 0)) : less(sx, saved[0])), saved[0].shape));
    if (typeof hi === 'object' && hi) grads.push(sumToShape(mul(dy, byMax!), saved[saved.length - 1].shape));
    return grads;
  });
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
