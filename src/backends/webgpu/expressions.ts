// The WGSL each elementwise op becomes, given its arguments' expressions.
// Floats are computed in f32 (f16 is converted on load and store), ints in
// i32 (i8 wraps when stored). The helpers (pow_f32, max_f32…) are in
// shaders/elementwise_lib.wgsl, the special functions' in shaders/special_lib.wgsl; they pin down what WGSL leaves undefined
// (NaN, negative bases, overflow) to what the js reference backend does.
import { isFloat, type DType } from '../../dtype.js';
import type { BinaryOp, BitwiseOp, UnaryOp } from '../kernels.js';

type Unary = (x: string) => string;
type Binary = (a: string, b: string) => string;

/** The ops whose helpers are in shaders/special_lib.wgsl, which a kernel brings only when it uses one. */
export const SPECIAL_LIB_OPS: ReadonlySet<string> = new Set<UnaryOp | BinaryOp>([
  'erfc', 'lgamma', 'digamma', 'trigamma', 'erfinv', 'sinc', 'logit', 'i0', 'i1', 'xlogy', 'logaddexp', 'hypot', 'copysign',
]);

const FLOAT_UNARY: Record<UnaryOp | 'copy', Unary> = {
  copy: (x) => x,
  neg: (x) => `-${x}`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign_f32(${x})`,
  exp: (x) => `exp_f32(${x})`,
  log: (x) => `log_f32(${x})`,
  sqrt: (x) => `sqrt_f32(${x})`,
  relu: (x) => `relu_f32(${x})`,
  sigmoid: (x) => `sigmoid_f32(${x})`,
  tanh: (x) => `tanh_f32(${x})`,
  floor: (x) => `floor(${x})`,
  ceil: (x) => `ceil(${x})`,
  round: (x) => `round(${x})`, // halves to even, as WGSL defines it
  sin: (x) => `sin_f32(${x})`,
  cos: (x) => `cos_f32(${x})`,
  erf: (x) => `erf_f32(${x})`,
  log1p: (x) => `log1p_f32(${x})`,
  expm1: (x) => `expm1_f32(${x})`,
  tan: (x) => `tan_f32(${x})`,
  asin: (x) => `asin_f32(${x})`,
  acos: (x) => `acos_f32(${x})`,
  atan: (x) => `atan_f32(${x})`,
  sinh: (x) => `sinh_f32(${x})`,
  cosh: (x) => `cosh_f32(${x})`,
  asinh: (x) => `asinh_f32(${x})`,
  acosh: (x) => `acosh_f32(${x})`,
  atanh: (x) => `atanh_f32(${x})`,
  trunc: (x) => `trunc(${x})`,
  erfc: (x) => `erfc_f32(${x})`,
  lgamma: (x) => `lgamma_f32(${x})`,
  digamma: (x) => `digamma_f32(${x})`,
  trigamma: (x) => `trigamma_f32(${x})`,
  erfinv: (x) => `erfinv_f32(${x})`,
  sinc: (x) => `sinc_f32(${x})`,
  logit: (x) => `logit_f32(${x})`,
  i0: (x) => `i0_f32(${x})`,
  i1: (x) => `i1_f32(${x})`,
  log2: (x) => `log2_f32(${x})`,
  log10: (x) => `log10_f32(${x})`,
  exp2: (x) => `exp2_f32(${x})`,
};

// Only neg, abs, sign, relu and the roundings reach an int kernel; the others are float-only ops.
const INT_UNARY: Partial<Record<UnaryOp | 'copy', Unary>> = {
  copy: (x) => x,
  floor: (x) => x,
  trunc: (x) => x,
  ceil: (x) => x,
  round: (x) => x,
  neg: (x) => `-${x}`,
  abs: (x) => `abs(${x})`,
  sign: (x) => `sign(${x})`,
  relu: (x) => `max(${x}, 0)`,
};

const FLOAT_BINARY: Record<Exclude<BinaryOp, BitwiseOp>, Binary> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  div: (a, b) => `${a} / ${b}`,
  pow: (a, b) => `pow_f32(${a}, ${b})`,
  maximum: (a, b) => `max_f32(${a}, ${b})`,
  minimum: (a, b) => `min_f32(${a}, ${b})`,
  atan2: (a, b) => `atan2_f32(${a}, ${b})`,
  remainder: (a, b) => `remainder_f32(${a}, ${b})`,
  xlogy: (a, b) => `xlogy_f32(${a}, ${b})`,
  logaddexp: (a, b) => `logaddexp_f32(${a}, ${b})`,
  hypot: (a, b) => `hypot_f32(${a}, ${b})`,
  copysign: (a, b) => `copysign_f32(${a}, ${b})`,
  floorDivide: (a, b) => `floor_divide_f32(${a}, ${b})`,
  equal: (a, b) => `select(0.0, 1.0, eq_f32(${a}, ${b}))`,
  notEqual: (a, b) => `select(1.0, 0.0, eq_f32(${a}, ${b}))`,
  less: (a, b) => `select(0.0, 1.0, lt_f32(${a}, ${b}))`,
  lessEqual: (a, b) => `select(0.0, 1.0, le_f32(${a}, ${b}))`,
  greater: (a, b) => `select(0.0, 1.0, lt_f32(${b}, ${a}))`,
  greaterEqual: (a, b) => `select(0.0, 1.0, le_f32(${b}, ${a}))`,
};

/** Binary ops on floats only: the ops layer casts ints to f32 first. */
type FloatOnlyBinary = 'atan2' | 'xlogy' | 'logaddexp' | 'hypot' | 'copysign';
const FLOAT_ONLY_BINARY: ReadonlySet<BinaryOp> = new Set<FloatOnlyBinary>(['atan2', 'xlogy', 'logaddexp', 'hypot', 'copysign']);
/** Binary ops on ints only: the ops layer refuses floats. */
const BITWISE: ReadonlySet<BinaryOp> = new Set<BitwiseOp>(['bitwiseAnd', 'bitwiseOr', 'bitwiseXor', 'bitwiseLeftShift', 'bitwiseRightShift']);

const INT_BINARY: Record<Exclude<BinaryOp, FloatOnlyBinary>, Binary> = {
  add: (a, b) => `${a} + ${b}`,
  sub: (a, b) => `${a} - ${b}`,
  mul: (a, b) => `${a} * ${b}`,
  // True division of ints is a float op; an int kernel truncates, and x / 0 is 0 (as the js backend stores Infinity and NaN in an Int32Array).
  div: (a, b) => `select(${a} / ${b}, 0, ${b} == 0)`,
  pow: (a, b) => `pow_i32(${a}, ${b})`,
  maximum: (a, b) => `max(${a}, ${b})`,
  minimum: (a, b) => `min(${a}, ${b})`,
  remainder: (a, b) => `remainder_i32(${a}, ${b})`,
  floorDivide: (a, b) => `floor_divide_i32(${a}, ${b})`,
  equal: (a, b) => `select(0, 1, ${a} == ${b})`,
  notEqual: (a, b) => `select(0, 1, ${a} != ${b})`,
  less: (a, b) => `select(0, 1, ${a} < ${b})`,
  lessEqual: (a, b) => `select(0, 1, ${a} <= ${b})`,
  greater: (a, b) => `select(0, 1, ${a} > ${b})`,
  greaterEqual: (a, b) => `select(0, 1, ${a} >= ${b})`,
  // On i32, and on i8 sign-extended (its low 8 bits stored): shl_i32 and shr_i32 give what the js backend does past the width.
  bitwiseAnd: (a, b) => `(${a} & ${b})`,
  bitwiseOr: (a, b) => `(${a} | ${b})`,
  bitwiseXor: (a, b) => `(${a} ^ ${b})`,
  bitwiseLeftShift: (a, b) => `shl_i32(${a}, ${b})`,
  bitwiseRightShift: (a, b) => `shr_i32(${a}, ${b})`,
};

/** The type a dtype's values have inside a generated expression. */
export const valueType = (dtype: DType): 'f32' | 'i32' => (isFloat(dtype) ? 'f32' : 'i32');

export function unaryExpr(op: UnaryOp | 'copy', dtype: DType, x: string): string {
  const f = isFloat(dtype) ? FLOAT_UNARY[op] : INT_UNARY[op];
  if (!f) throw new Error(`webgpu: unary ${op} on ${dtype} is not an op the ops layer sends (it casts to a float first)`);
  return f(x);
}

export function binaryExpr(op: BinaryOp, dtype: DType, a: string, b: string): string {
  if (isFloat(dtype)) {
    if (BITWISE.has(op)) throw new Error(`webgpu: ${op} on ${dtype} is not an op the ops layer sends (bitwise ops take ints)`);
    return FLOAT_BINARY[op as Exclude<BinaryOp, BitwiseOp>](a, b);
  }
  if (FLOAT_ONLY_BINARY.has(op)) throw new Error(`webgpu: ${op} on ${dtype} is not an op the ops layer sends (it casts to a float first)`);
  return INT_BINARY[op as Exclude<BinaryOp, FloatOnlyBinary>](a, b);
}

/** cond != 0 ? a : b, with cond's own type (NaN counts as true). */
export function whereExpr(condDtype: DType, c: string, a: string, b: string): string {
  // `!=` may be an ordered comparison (false for NaN) once compiled: test NaN by its bits.
  return isFloat(condDtype) ? `select(${b}, ${a}, !eq_f32(${c}, 0.0))` : `select(${b}, ${a}, ${c} != 0)`;
}

/** Conversion between value types: to ints truncates toward zero and saturates, NaN → 0; i32 → i8 saturates. */
export function castExpr(from: DType, to: DType, x: string): string {
  if (isFloat(to)) return isFloat(from) ? x : `f32(${x})`;
  if (isFloat(from)) return to === 'i8' ? `to_i8(${x})` : `to_i32(${x})`;
  return to === 'i8' && from === 'i32' ? `clamp(${x}, -128, 127)` : x;
}

/**
 * Bits reinterpreted, in value types (f16 is computed in f32): f32 ↔ i32
 * directly; an f16's bits by elementwise_lib.wgsl's f16_bits (exact for the
 * f16 values a value holds, NaN made canonical), the low 16 bits of an i32
 * as the f16 they encode.
 */
export function bitcastExpr(from: DType, to: DType, x: string): string {
  if (from === 'f32' && to === 'i32') return `bitcast<i32>(${x})`;
  if (from === 'i32' && to === 'f32') return `bitcast<f32>(${x})`;
  if (from === 'f16' && to === 'i32') return `i32(f16_bits(${x}))`;
  if (from === 'i32' && to === 'f16') return `unpack2x16float(bitcast<u32>(${x}) & 0xffffu).x`;
  throw new Error(`webgpu: bitcast ${from} → ${to} is not one the ops layer sends`);
}
