// What tm.fft's functions share: the checks of a real or complex operand
// (a float tensor whose last axis holds (real, imaginary) pairs: see
// complex.ts), f32 in and the input's dtype out, host constants uploaded to
// an operand's backend, and per-pair real 2 × 2 maps with constant
// matrices (complex products, conjugates, a part ignored).
import { tidy } from '../../engine.js';
import { DTypeError, ShapeError, formatShape } from '../../errors.js';
import { isFloat, type DType } from '../../dtype.js';
import type { Tensor } from '../../tensor.js';
import { cast } from '../cast.js';
import { tensor } from '../creation.js';
import { add, mul } from '../elementwise.js';
import { flip } from '../movement.js';
import { checkTensor, onBackendOf } from '../util.js';

/** Checks that `name` is a float tensor (f32 or f16). */
export function checkFloat(op: string, t: unknown, name: string): Tensor {
  const x = checkTensor(op, t, name);
  if (!isFloat(x.dtype)) throw new DTypeError(`${op}: ${name} must be a float tensor (f32 or f16), got ${x.dtype}`);
  return x;
}

/**
 * Checks that `name` is complex: a float tensor [..., 2] of (real, imaginary)
 * pairs, with at least `axes` complex axes before the pair.
 */
export function checkComplex(op: string, t: unknown, name = 'z', axes = 0): Tensor {
  const z = checkFloat(op, t, name);
  if (z.rank < axes + 1 || z.shape[z.rank - 1] !== 2) {
    const want = axes === 0 ? '[..., 2]' : '[..., n, 2]';
    throw new ShapeError(`${op}: ${name} must be complex, a float tensor ${want} whose last axis holds (real, imaginary) pairs, got ${formatShape(z.shape)}`);
  }
  return z;
}

/** t in f32, the dtype the transforms compute in (f16 is cast in, and the result back). */
export function inF32(t: Tensor): Tensor {
  return t.dtype === 'f32' ? t : cast(t, 'f32');
}

/** t (an f32 result) in `dtype`, the input's own. */
export function castTo(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : cast(t, dtype);
}

/** Host values computed in float64, uploaded as f32 to `like`'s backend. */
export function constant(op: string, like: Tensor, values: ArrayLike<number>, shape: readonly number[]): Tensor {
  // new Float32Array copies a typed array natively; Float32Array.from iterates it (~1 ms for a 512-point DFT's matrix).
  return onBackendOf(op, like, () => tensor(values instanceof Float32Array ? values : new Float32Array(values), shape));
}

/**
 * Each (re, im) pair of u [..., 2] through its own real 2 × 2 matrix
 * [[a, b], [c, d]]: re' = a·re + b·im, im' = c·re + d·im. The matrices,
 * given entry by entry as float64 arrays, cover u's trailing axes `shape`
 * (without the pair) and broadcast over the rest. A complex product
 * (a = d = wr, c = −b = wi), a product with u's conjugate, or one that
 * ignores an imaginary part (b = d = 0) are all of this form; it is two
 * products and a sum, u and u with its pairs swapped:
 * u·[a, d] + swap(u)·[b, c].
 */
export function pairMap(op: string, u: Tensor, shape: readonly number[], a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number>, d: ArrayLike<number>): Tensor {
  const m = a.length;
  const straight = new Float64Array(2 * m);
  const swapped = new Float64Array(2 * m);
  for (let i = 0; i < m; i++) {
    straight[2 * i] = a[i];
    straight[2 * i + 1] = d[i];
    swapped[2 * i] = b[i];
    swapped[2 * i + 1] = c[i];
  }
  return tidy(() => add(mul(u, constant(op, u, straight, [...shape, 2])), mul(flip(u, -1), constant(op, u, swapped, [...shape, 2]))));
}

/** u [..., 2] times the complex numbers wr + i·wi laid over its trailing axes `shape` (see pairMap). */
export function timesComplex(op: string, u: Tensor, shape: readonly number[], wr: Float64Array, wi: Float64Array): Tensor {
  return pairMap(op, u, shape, wr, wi.map((v) => -v), wi, wr);
}
