// Elementwise kernels on the js backend: unary maps, broadcasting binary ops, where.
import { isFloat, type StorageArray } from '../../dtype.js';
import { roundHalfEven } from '../../round.js';
import { sizeOf } from '../../shape.js';
import type { BinaryOp, BitwiseOp, UnaryOp } from '../kernels.js';
import { erf, erfc } from './erf.js';
import { copysign, digamma, erfinv, hypot, i0, i1, lgamma, logaddexp, logit, sinc, trigamma, xlogy } from './special.js';
import { broadcastOffsets, output, valuesOf, type Js } from './values.js';

const UNARY: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  abs: Math.abs,
  sign: (x) => (Number.isNaN(x) ? x : Math.sign(x) + 0),
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  relu: (x) => (Number.isNaN(x) ? x : x > 0 ? x : 0),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  floor: Math.floor,
  ceil: Math.ceil,
  round: roundHalfEven,
  sin: Math.sin,
  cos: Math.cos,
  erf,
  log1p: Math.log1p,
  expm1: Math.expm1,
  tan: Math.tan,
  asin: Math.asin,
  acos: Math.acos,
  atan: Math.atan,
  sinh: Math.sinh,
  cosh: Math.cosh,
  asinh: Math.asinh,
  acosh: Math.acosh,
  atanh: Math.atanh,
  trunc: Math.trunc,
  erfc,
  lgamma,
  digamma,
  trigamma,
  erfinv,
  sinc,
  logit,
  i0,
  i1,
  log2: Math.log2,
  log10: Math.log10,
  exp2: (x) => 2 ** x,
};

/** a − b·⌊a/b⌋ (Python's %, PyTorch's remainder): the sign of b, exact (% is C's fmod, exact), a zero result signed as b. */
function remainder(a: number, b: number): number {
  const r = a % b;
  if (r === 0) return b < 0 ? -0 : 0;
  return r < 0 !== b < 0 ? r + b : r;
}

/** The int remainder, wrapping as C's ints: x rem 0 is 0 (as x ÷ 0 is here). */
function intRemainder(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/**
 * ⌊a/b⌋ as Python's float // (PyTorch's floor_divide): from the remainder,
 * which is exact, so that a/b's rounding cannot cross an integer — the
 * quotient of a − fmod(a, b), a whole multiple of b, rounded to the nearest
 * integer. b = 0 gives a / b (±∞, NaN).
 */
function floorDivide(a: number, b: number): number {
  if (b === 0) return a / b;
  const mod = a % b;
  let q = (a - mod) / b;
  if (mod !== 0 && b < 0 !== mod < 0) q -= 1;
  if (q === 0) return (a / b < 0 || Object.is(a / b, -0)) ? -0 : 0;
  const whole = Math.floor(q);
  return q - whole > 0.5 ? whole + 1 : whole;
}

/** The int ⌊a/b⌋, exact (|a|, |b| < 2^31 divide exactly in float64 after the remainder is taken off); x ÷ 0 is 0. */
function intFloorDivide(a: number, b: number): number {
  if (b === 0) return 0;
  const r = a % b;
  return (a - r) / b - (r !== 0 && r < 0 !== b < 0 ? 1 : 0);
}

/** Integer power with C-like wrapping; a negative exponent truncates 1/x^n toward zero. */
function intPow(x: number, n: number): number {
  if (n < 0) return x === 1 ? 1 : x === -1 ? (n % 2 === 0 ? 1 : -1) : 0;
  let result = 1;
  for (let i = 0; i < n; i++) result = Math.imul(result, x);
  return result;
}

/** pow as IEEE 754, C and NumPy define it; JavaScript's Math.pow gives NaN for pow(1, NaN) and pow(±1, ±Infinity). */
function powIeee(a: number, b: number): number {
  if (a === 1 || b === 0) return 1;
  if (a === -1 && (b === Infinity || b === -Infinity)) return 1;
  return Math.pow(a, b);
}

const BINARY: Record<Exclude<BinaryOp, BitwiseOp>, (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => a * b,
  div: (a, b) => a / b,
  pow: powIeee,
  maximum: Math.max,
  minimum: Math.min,
  atan2: Math.atan2,
  remainder,
  xlogy,
  logaddexp,
  hypot,
  copysign,
  floorDivide,
  equal: (a, b) => +(a === b),
  notEqual: (a, b) => +(a !== b),
  less: (a, b) => +(a < b),
  lessEqual: (a, b) => +(a <= b),
  greater: (a, b) => +(a > b),
  greaterEqual: (a, b) => +(a >= b),
};

/**
 * JS's 32-bit operators on i32 values, and on i8 values sign-extended, whose
 * low 8 bits the Int8Array output keeps: a shift by 8 to 31 then leaves
 * nothing of an i8 to the left and its sign's fill to the right, which the
 * width rule below gives past 31 (JS would shift by the amount mod 32).
 */
const BITWISE: Record<BitwiseOp, (a: number, b: number) => number> = {
  bitwiseAnd: (a, b) => a & b,
  bitwiseOr: (a, b) => a | b,
  bitwiseXor: (a, b) => a ^ b,
  bitwiseLeftShift: (a, b) => (b < 0 || b > 31 ? 0 : a << b),
  bitwiseRightShift: (a, b) => a >> (b < 0 || b > 31 ? 31 : b),
};

// i32 products and powers overflow float64's 53 bits before they wrap; these keep them exact.
const INT_BINARY: Partial<Record<BinaryOp, (a: number, b: number) => number>> = {
  mul: Math.imul,
  pow: intPow,
  remainder: intRemainder,
  floorDivide: intFloorDivide,
  ...BITWISE,
};

export function unary(op: UnaryOp, x: Js): StorageArray {
  const f = UNARY[op];
  const xs = valuesOf(x);
  const out = output(x.dtype, xs.length);
  const v = out.values;
  for (let i = 0; i < xs.length; i++) v[i] = f(xs[i]);
  return out.finish();
}

export function binary(op: BinaryOp, a: Js, b: Js, outShape: readonly number[]): StorageArray {
  const outDtype = a.dtype;
  const f = (!isFloat(outDtype) && INT_BINARY[op]) || BINARY[op as Exclude<BinaryOp, BitwiseOp>];
  if (!f) throw new Error(`js: ${op} on ${outDtype} is not an op the ops layer sends (bitwise ops take ints)`);
  const as = valuesOf(a);
  const bs = valuesOf(b);
  const n = sizeOf(outShape);
  const out = output(outDtype, n);
  const v = out.values;
  const ao = broadcastOffsets(a, outShape);
  const bo = broadcastOffsets(b, outShape);
  for (let i = 0; i < n; i++) v[i] = f(as[ao ? ao[i] : i], bs[bo ? bo[i] : i]);
  return out.finish();
}

export function where(cond: Js, a: Js, b: Js, outShape: readonly number[]): StorageArray {
  const outDtype = a.dtype;
  const cs = valuesOf(cond);
  const as = valuesOf(a);
  const bs = valuesOf(b);
  const n = sizeOf(outShape);
  const out = output(outDtype, n);
  const v = out.values;
  const co = broadcastOffsets(cond, outShape);
  const ao = broadcastOffsets(a, outShape);
  const bo = broadcastOffsets(b, outShape);
  for (let i = 0; i < n; i++) {
    v[i] = cs[co ? co[i] : i] !== 0 ? as[ao ? ao[i] : i] : bs[bo ? bo[i] : i];
  }
  return out.finish();
}
