// NumPy's polynomial helpers (numpy.polyval, polyfit, roots, poly, polyder,
// polyint), for coefficients highest power first, as NumPy's poly1d family
// keeps them: p = [p₀, p₁, …, p_d] is p₀·x^d + … + p_d. Coefficients are a
// tensor whose last axis holds them, so a batch of polynomials is one
// tensor. Everything is composed of differentiable ops: polyval is Horner's
// scheme, polyfit a least-squares solve on the Vandermonde matrix, roots the
// eigenvalues of the companion matrix (as np.roots), poly a running product.
import { tidy } from '../engine.js';
import { epsilonOf, isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { arange, eye, ones, tensor, zeros } from './creation.js';
import { add, div, equal, mul, neg, sqrt, sub, where } from './elementwise.js';
import { complex, imag, real } from './fft/complex.js';
import { eigvals } from './linalg/eig.js';
import { lstsq } from './linalg/lstsq.js';
import { matrixTranspose } from './linalg/matrices.js';
import { along } from './indexing.js';
import { broadcastTo, concat, expandDims, reshape } from './movement.js';
import { sum } from './reduce.js';
import { vander } from './grids.js';
import { checkTensor, onBackendOf } from './util.js';

/**
 * Coefficients as a float tensor whose last axis holds them (numbers an f32
 * vector, ints cast to f32), with at least one. Callers make it inside
 * their tidy, so that a tensor made from numbers is not left behind.
 */
function coefficients(op: string, p: Tensor | readonly number[], like?: Tensor): Tensor {
  const t = Array.isArray(p) ? (like ? onBackendOf(op, like, () => tensor(p as number[])) : tensor(p as number[])) : checkTensor(op, p, 'p');
  if (t.rank === 0) throw new ShapeError(`${op}: p must hold coefficients along its last axis, got a scalar`);
  if (t.shape[t.rank - 1] === 0) throw new ShapeError(`${op}: p ${formatShape(t.shape)} has no coefficients`);
  return isFloat(t.dtype) ? t : cast(t, 'f32');
}

/** Coefficient k (0 the highest power's) of each polynomial of p [..., d + 1]: [...]. */
function coefficient(p: Tensor, k: number): Tensor {
  return reshape(along(p, p.rank - 1, k, 1), p.shape.slice(0, -1));
}

/**
 * p evaluated at x (np.polyval) by Horner's scheme: p [..., d + 1] highest
 * power first (or numbers), x any shape that broadcasts against p's batch
 * axes [...]. Differentiable in p and x.
 */
export function polyval(p: Tensor | readonly number[], x: Tensor): Tensor {
  checkTensor('polyval', x, 'x');
  return tidy(() => {
    const c = coefficients('polyval', p, x);
    const at = isFloat(x.dtype) ? x : cast(x, c.dtype);
    let y = coefficient(c, 0);
    for (let k = 1; k < c.shape[c.rank - 1]; k++) y = add(mul(y, at), coefficient(c, k));
    // A constant polynomial still takes x's shape.
    return c.shape[c.rank - 1] === 1 ? add(y, mul(at, 0)) : y;
  });
}

export interface PolyfitOptions {
  /** Weights of the points, [m]: each residual is multiplied by its weight (NumPy's w: 1/σ for Gaussian noise). */
  w?: Tensor;
  /** Singular values of the scaled Vandermonde matrix below rcond·σ_max count as zero. Default m·eps of f32 (NumPy's m·eps of its float type; the solve here is in f32, f16 points included). */
  rcond?: number;
}

const POLYFIT_OPTIONS: OptionNames<PolyfitOptions> = { w: true, rcond: true };

/**
 * The least-squares polynomial of degree `deg` through the points (x, y)
 * (np.polyfit): x [m], y [m] or [m, k] (k sets of points at the same x);
 * coefficients [deg + 1] or [k, deg + 1], highest power first — along the
 * last axis, as every function here reads them (NumPy's are [deg + 1, k],
 * down the first axis, as its polyval reads them). As NumPy,
 * the Vandermonde matrix's columns are scaled to unit norm before the
 * solve (lstsq's SVD way, 'gelsd', on every backend: a high degree is
 * ill-conditioned), so any rank works. Differentiable in x, y and w.
 */
export function polyfit(x: Tensor, y: Tensor, deg: number, options: PolyfitOptions = {}): Tensor {
  checkTensor('polyfit', x, 'x');
  checkTensor('polyfit', y, 'y');
  const { w, rcond } = checkOptions('polyfit', options, POLYFIT_OPTIONS);
  if (!Number.isSafeInteger(deg) || deg < 0) throw new ValueError(`polyfit: deg must be a non-negative integer, got ${formatValue(deg)}`);
  if (x.rank !== 1) throw new ShapeError(`polyfit: x ${formatShape(x.shape)} must be a vector of the points' positions`);
  if ((y.rank !== 1 && y.rank !== 2) || y.shape[0] !== x.size) {
    throw new ShapeError(`polyfit: y ${formatShape(y.shape)} must be [${x.size}] or [${x.size}, k] to match x ${formatShape(x.shape)}`);
  }
  if (x.size === 0) throw new ShapeError('polyfit: x holds no points');
  if (w !== undefined && (checkTensor('polyfit', w, 'w').rank !== 1 || w.size !== x.size)) {
    throw new ShapeError(`polyfit: w ${formatShape(w.shape)} must be [${x.size}], a weight per point`);
  }
  return tidy(() => {
    const floats = (t: Tensor) => (isFloat(t.dtype) ? t : cast(t, 'f32'));
    let lhs = vander(floats(x), { n: deg + 1 });
    let rhs = y.rank === 1 ? expandDims(floats(y), -1) : floats(y);
    if (w !== undefined) {
      const weights = expandDims(floats(w), -1);
      lhs = mul(lhs, weights);
      rhs = mul(rhs, weights);
    }
    // Columns of unit norm (an all-zero column, x all 0 in a power, left as it is).
    const norms = sqrt(sum(mul(lhs, lhs), 0, { keepDims: true }));
    const scale = where(equal(norms, 0), 1, norms);
    const columns = div(lhs, scale);
    const { solution } = lstsq(columns, rhs, { driver: 'gelsd', rcond: rcond ?? x.size * epsilonOf('f32') });
    const fitted = div(solution, reshape(scale, [deg + 1, 1]));
    return y.rank === 1 ? reshape(fitted, [deg + 1]) : matrixTranspose(fitted);
  });
}

/**
 * The roots of each polynomial of p [..., d + 1] (np.roots): [..., d, 2],
 * complex as (re, im) pairs (tm.fft's layout), the eigenvalues of the
 * companion matrix, in tm.linalg.eig's order. p₀ must not be 0: NumPy
 * drops leading zeros first, which would make the shape depend on the
 * values; here a leading 0 gives NaN roots. Trailing zeros give roots at 0.
 * In f32. Differentiable (through eigvals) where the roots are distinct.
 */
export function roots(p: Tensor | readonly number[]): Tensor {
  return tidy(() => {
    const c = coefficients('roots', p);
    const d = c.shape[c.rank - 1] - 1;
    const batch = c.shape.slice(0, -1);
    if (d === 0) return onBackendOf('roots', c, () => zeros([...batch, 0, 2], { dtype: c.dtype }));
    // The companion matrix: first row −p₁…p_d / p₀, ones below the diagonal.
    const rest = along(c, c.rank - 1, 1, d);
    const top = expandDims(neg(div(rest, expandDims(coefficient(c, 0), -1))), -2);
    const below = onBackendOf('roots', c, () => broadcastTo(eye(d - 1, d, { dtype: c.dtype }), [...batch, d - 1, d]));
    const companion = concat([top, below], -2);
    return eigvals(companion);
  });
}

/**
 * The coefficients of the monic polynomial with the given roots (np.poly of
 * a vector): r [..., d] real roots, or [..., d, 2] complex ones with
 * `{ complex: true }` → [..., d + 1] real, or [..., d + 1, 2]; the product
 * of (x − rᵢ), highest power first. Each row of a matrix is a set of roots
 * (np.poly of a square matrix gives its characteristic polynomial instead:
 * poly(linalg.eigvals(A), { complex: true }) here). Differentiable.
 */
export function poly(r: Tensor, options: { complex?: boolean } = {}): Tensor {
  checkTensor('poly', r, 'r');
  const { complex: isComplex = false } = checkOptions('poly', options, { complex: 'boolean' });
  if (!isFloat(r.dtype)) throw new DTypeError(`poly: r must be a float tensor (f32 or f16), got ${r.dtype}`);
  if (r.rank < 1 || (isComplex && (r.rank < 2 || r.shape[r.rank - 1] !== 2))) {
    throw new ShapeError(`poly: r ${formatShape(r.shape)} must hold roots along its last axis${isComplex ? ', (re, im) pairs after it' : ''}`);
  }
  return tidy(() => {
    const re = isComplex ? real(r) : r;
    const im = isComplex ? imag(r) : null;
    const d = re.shape[re.rank - 1];
    const batch = re.shape.slice(0, -1);
    // Multiply in one root at a time: c ← c·x − rᵢ·c, i.e. c shifted up one power less rᵢ times c.
    const one = onBackendOf('poly', r, () => ones([...batch, 1], { dtype: r.dtype }));
    let cr = one;
    let ci = im ? mul(one, 0) : null;
    for (let i = 0; i < d; i++) {
      const rr = coefficient(re, i);
      const zero = mul(coefficient(cr, 0), 0);
      const shiftedR = concat([cr, expandDims(zero, -1)], -1);
      const lowR = concat([expandDims(zero, -1), cr], -1);
      if (im && ci) {
        const ri = expandDims(coefficient(im, i), -1);
        const shiftedI = concat([ci, expandDims(zero, -1)], -1);
        const lowI = concat([expandDims(zero, -1), ci], -1);
        const rre = expandDims(rr, -1);
        [cr, ci] = [sub(shiftedR, sub(mul(rre, lowR), mul(ri, lowI))), sub(shiftedI, add(mul(rre, lowI), mul(ri, lowR)))];
      } else {
        cr = sub(shiftedR, mul(expandDims(rr, -1), lowR));
      }
    }
    return ci ? complex(cr, ci) : cr;
  });
}

/**
 * The m-th derivative of each polynomial of p [..., d + 1] (np.polyder):
 * [..., max(d + 1 − m, 1)], highest power first; past the degree [..., 1]
 * of zeros (np.poly1d's; np.polyder of an array gives an empty one).
 */
export function polyder(p: Tensor | readonly number[], m = 1): Tensor {
  if (!Number.isSafeInteger(m) || m < 0) throw new ValueError(`polyder: m must be a non-negative integer, got ${formatValue(m)}`);
  return tidy(() => {
    let out = coefficients('polyder', p);
    if (m === 0) return reshape(out, out.shape);
    for (let step = 0; step < m; step++) {
      const n = out.shape[out.rank - 1];
      if (n === 1) return mul(out, 0);
      // p₀x^d + … → d·p₀x^(d−1) + …: the powers d, d − 1, …, 1 times all but the last coefficient.
      const kept = along(out, out.rank - 1, 0, n - 1);
      const powers = onBackendOf('polyder', out, () => arange(n - 1, 0, -1, { dtype: out.dtype }));
      out = mul(kept, powers);
    }
    return out;
  });
}

/**
 * The m-th antiderivative of each polynomial of p [..., d + 1] (np.polyint):
 * [..., d + 1 + m], each integration's constant k (a number, default 0).
 */
export function polyint(p: Tensor | readonly number[], m = 1, k = 0): Tensor {
  if (!Number.isSafeInteger(m) || m < 0) throw new ValueError(`polyint: m must be a non-negative integer, got ${formatValue(m)}`);
  if (typeof k !== 'number') throw new ValueError(`polyint: k must be a number, got ${formatValue(k)}`);
  return tidy(() => {
    let out = coefficients('polyint', p);
    if (m === 0) return reshape(out, out.shape);
    for (let step = 0; step < m; step++) {
      const n = out.shape[out.rank - 1];
      const powers = onBackendOf('polyint', out, () => arange(n, 0, -1, { dtype: out.dtype }));
      const constant = add(mul(coefficient(out, 0), 0), k);
      out = concat([div(out, powers), expandDims(constant, -1)], -1);
    }
    return out;
  });
}
