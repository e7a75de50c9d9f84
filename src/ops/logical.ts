// Tests of values and logic on them, giving 1 or 0 in x's dtype as the
// comparisons do: isNaN, isFinite, isInf, isPosInf, isNegInf and isReal
// (NaN found as the one value not equal to itself; the backends compare NaN
// as IEEE 754 does, the GPU's included: shaders/elementwise_lib.wgsl), and
// and/or/xor/not of non-zero;
// isclose and allclose, and nanToNum, which replaces what isFinite rejects.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { F16_MAX } from '../f16.js';
import { checkOptions, type OptionNames } from '../options.js';
import { broadcastShapes } from '../shape.js';
import { noGrad } from '../tape.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { abs, add, equal, less, lessEqual, maximum, mul, notEqual, sub, where } from './elementwise.js';
import { isFloat, promoteTypes } from '../dtype.js';
import { cast } from './cast.js';
import { onesLike, zerosLike } from './creation.js';
import { clone } from './movement.js';
import { all } from './reduce.js';
import { checkTensor, withTensors } from './util.js';

/** 1 where x is NaN (never, for ints). */
export function isNaN(x: Tensor): Tensor {
  checkTensor('isNaN', x);
  return isFloat(x.dtype) ? notEqual(x, x) : zerosLike(x);
}

/** 1 where x is neither ±∞ nor NaN (always, for ints). */
export function isFinite(x: Tensor): Tensor {
  checkTensor('isFinite', x);
  return isFloat(x.dtype) ? tidy(() => less(abs(x), Infinity)) : onesLike(x);
}

/** 1 where x is +∞ or −∞ (never, for ints). */
export function isInf(x: Tensor): Tensor {
  checkTensor('isInf', x);
  return isFloat(x.dtype) ? tidy(() => equal(abs(x), Infinity)) : zerosLike(x);
}

/** 1 where x is +∞ (torch.isposinf, np.isposinf; never, for ints). */
export function isPosInf(x: Tensor): Tensor {
  checkTensor('isPosInf', x);
  return isFloat(x.dtype) ? equal(x, Infinity) : zerosLike(x);
}

/** 1 where x is −∞ (torch.isneginf, np.isneginf; never, for ints). */
export function isNegInf(x: Tensor): Tensor {
  checkTensor('isNegInf', x);
  return isFloat(x.dtype) ? equal(x, -Infinity) : zerosLike(x);
}

/**
 * 1 everywhere (torch.isreal, np.isreal): tmnn has no complex dtype (its
 * complex values are float pairs [..., 2], each entry a real number), so
 * every entry of every tensor is real; NaN and ±∞ too, as in PyTorch.
 */
export function isReal(x: Tensor): Tensor {
  checkTensor('isReal', x);
  return onesLike(x);
}

/** 1 where a and b are both non-zero (broadcasting). */
export function logicalAnd(a: TensorLike, b: TensorLike): Tensor {
  return tidy(() => mul(notEqual(a, 0), notEqual(b, 0)));
}

/** 1 where a or b is non-zero. */
export function logicalOr(a: TensorLike, b: TensorLike): Tensor {
  return tidy(() => maximum(notEqual(a, 0), notEqual(b, 0)));
}

/** 1 where exactly one of a and b is non-zero. */
export function logicalXor(a: TensorLike, b: TensorLike): Tensor {
  return tidy(() => notEqual(notEqual(a, 0), notEqual(b, 0)));
}

/** 1 where x is 0. */
export function logicalNot(x: Tensor): Tensor {
  return equal(checkTensor('logicalNot', x), 0);
}

/** What nanToNum puts in place of NaN, +∞ and −∞. */
export interface NanToNumOptions {
  /** Default 0. */
  nan?: number;
  /** Default the dtype's largest finite value (3.4028235e38 for f32, 65504 for f16). */
  posinf?: number;
  /** Default the dtype's most negative finite value. */
  neginf?: number;
}
const NAN_TO_NUM_OPTIONS: OptionNames<NanToNumOptions> = { nan: true, posinf: true, neginf: true };
const F32_MAX = 3.4028234663852886e38;

/**
 * x with NaN, +∞ and −∞ replaced (PyTorch's nan_to_num); ints come back as a
 * copy. The gradient passes where x is finite and is 0 where it was replaced.
 */
export function nanToNum(x: Tensor, options: NanToNumOptions = {}): Tensor {
  checkTensor('nanToNum', x);
  const { nan = 0, posinf, neginf } = checkOptions('nanToNum', options, NAN_TO_NUM_OPTIONS);
  for (const [name, v] of [['nan', nan], ['posinf', posinf], ['neginf', neginf]] as const) {
    if (v !== undefined && typeof v !== 'number') throw new ValueError(`nanToNum: ${name} must be a number, got ${formatValue(v)}`);
  }
  if (!isFloat(x.dtype)) return clone(x);
  const largest = x.dtype === 'f16' ? F16_MAX : F32_MAX;
  return tidy(() => where(notEqual(x, x), nan, where(equal(x, Infinity), posinf ?? largest, where(equal(x, -Infinity), neginf ?? -largest, x))));
}

/** isclose's and allclose's tolerances. */
export interface IscloseOptions {
  /** Relative to |b| (default 1e-5). */
  rtol?: number;
  /** Absolute (default 1e-8). */
  atol?: number;
  /** NaN counts as close to NaN (default false). */
  equalNan?: boolean;
}
const ISCLOSE_OPTIONS: OptionNames<IscloseOptions> = { rtol: true, atol: true, equalNan: 'boolean' };

function checkTolerances(op: string, options: IscloseOptions): Required<IscloseOptions> {
  const { rtol = 1e-5, atol = 1e-8, equalNan = false } = checkOptions(op, options, ISCLOSE_OPTIONS);
  for (const [name, v] of [['rtol', rtol], ['atol', atol]] as const) {
    if (typeof v !== 'number' || !(v >= 0)) throw new ValueError(`${op}: ${name} must be a number ≥ 0, got ${formatValue(v)}`);
  }
  return { rtol, atol, equalNan };
}

/**
 * 1 where |a − b| ≤ atol + rtol·|b| (not symmetric: b is the reference, as
 * in PyTorch and NumPy), or a = b (infinities of one sign), or both are NaN
 * with equalNan; else 0, broadcasting a and b, in their common dtype.
 */
export function isclose(a: TensorLike, b: TensorLike, options: IscloseOptions = {}): Tensor {
  const { rtol, atol, equalNan } = checkTolerances('isclose', options);
  return withTensors('isclose', a, b, (ta, tb) => {
    broadcastShapes('isclose', ta.shape, tb.shape);
    // No gradient (a test of values); recording |a − b| would hold a and b in a node backward never reaches.
    return noGrad(() => tidy(() => {
      // A finite a is never within the tolerance of an infinite b (which the inequality alone would allow).
      const near = mul(lessEqual(abs(sub(ta, tb)), add(mul(abs(tb), rtol), atol)), less(abs(tb), Infinity));
      const close = maximum(equal(ta, tb), near);
      const result = equalNan ? maximum(close, mul(notEqual(ta, ta), notEqual(tb, tb))) : close;
      // Ints compared with float tolerances gave f32; the answer is in their own dtype, as the comparisons'.
      const dtype = promoteTypes(ta.dtype, tb.dtype);
      return result.dtype === dtype ? result : cast(result, dtype);
    }));
  });
}

/** Whether isclose holds everywhere (true for empty tensors), read back. */
export async function allclose(a: TensorLike, b: TensorLike, options: IscloseOptions = {}): Promise<boolean> {
  const every = tidy(() => all(isclose(a, b, options)));
  try {
    return (await every.data())[0] === 1;
  } finally {
    every.dispose();
  }
}
