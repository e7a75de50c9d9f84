// Complex numbers as tmnn holds them: it has no complex dtype, so a complex
// tensor is a float tensor whose last axis has size 2, (real, imaginary)
// pairs — torch.view_as_real's layout, which keeps a complex vector of n
// entries as 2n interleaved floats. complex/real/imag go in and out of that
// layout; abs, angle and conj are the elementwise functions of it. Also here:
// what the transforms share — the checks of a complex or real operand, f32
// in and the input's dtype out, and host constants on an operand's backend.
import { tidy } from '../../engine.js';
import { DTypeError, ShapeError, formatShape } from '../../errors.js';
import { isFloat, type DType } from '../../dtype.js';
import { sameShape } from '../../shape.js';
import { noGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { cast } from '../cast.js';
import { tensor, zerosLike } from '../creation.js';
import { add, atan2, div, equal, hypot, mul, where } from '../elementwise.js';
import { expandDims, flip, reshape, slice, stack } from '../movement.js';
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
  return onBackendOf(op, like, () => tensor(Float32Array.from(values), shape));
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

/**
 * The complex tensor real + i·imag: the two stacked on a new last axis
 * [..., 2] (torch.complex, then torch.view_as_real). Without imag, the
 * imaginary parts are 0. Float inputs of one shape; their common dtype.
 */
export function complex(real: Tensor, imag?: Tensor): Tensor {
  checkFloat('complex', real, 'real');
  if (imag === undefined) return tidy(() => stack([real, zerosLike(real)], -1));
  checkFloat('complex', imag, 'imag');
  if (!sameShape(real.shape, imag.shape)) {
    throw new ShapeError(`complex: real ${formatShape(real.shape)} and imag ${formatShape(imag.shape)} must have the same shape`);
  }
  return stack([real, imag], -1);
}

/** One part of each pair of z [..., 2]: [...]. */
function part(op: string, z: Tensor, which: 0 | 1): Tensor {
  checkComplex(op, z);
  const shape = z.shape.slice(0, -1);
  return tidy(() => reshape(slice(z, [...shape.map(() => 0), which], [...shape, 1]), shape));
}

/** The real parts of complex z [..., 2] (torch.real): [...]. */
export function real(z: Tensor): Tensor {
  return part('real', z, 0);
}

/** The imaginary parts of complex z [..., 2] (torch.imag): [...]. */
export function imag(z: Tensor): Tensor {
  return part('imag', z, 1);
}

/** The complex conjugates of z [..., 2] (torch.conj): each imaginary part negated. */
export function conj(z: Tensor): Tensor {
  checkComplex('conj', z);
  return tidy(() => mul(z, constant('conj', z, [1, -1], [2])));
}

/**
 * The magnitudes |z| = √(re² + im²) of complex z [..., 2] (torch.abs of a
 * complex tensor): [...], without overflow or underflow in between (hypot).
 * Its gradient, dz = dy·z/|z|, is 0 at z = 0 (PyTorch's subgradient) rather
 * than the NaN that differentiating √ would give there.
 */
export function abs(z: Tensor): Tensor {
  checkComplex('abs', z);
  return tidy(() => {
    const y = noGrad(() => hypot(real(z), imag(z)));
    return record(y, 'abs', [z], [z, y], (dy, [sz, sy]) => [mul(sz, expandDims(div(dy, where(equal(sy, 0), 1, sy)), -1))]);
  });
}

/** The arguments atan2(im, re) of complex z [..., 2] (torch.angle), in (−π, π]: [...]. */
export function angle(z: Tensor): Tensor {
  checkComplex('angle', z);
  return tidy(() => atan2(imag(z), real(z)));
}
