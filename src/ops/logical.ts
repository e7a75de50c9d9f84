// Tests of values and logic on them, giving 1 or 0 in x's dtype as the
// comparisons do: isNaN, isFinite and isInf (NaN found as the one value not
// equal to itself; the backends compare NaN as IEEE 754 does, the GPU's
// included: shaders/elementwise_lib.wgsl), and and/or/xor/not of non-zero.
import { tidy } from '../engine.js';
import type { Tensor, TensorLike } from '../tensor.js';
import { abs, equal, less, maximum, mul, notEqual } from './elementwise.js';
import { isFloat } from '../dtype.js';
import { onesLike, zerosLike } from './creation.js';
import { checkTensor } from './util.js';

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
