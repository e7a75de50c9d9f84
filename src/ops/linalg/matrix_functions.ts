// tm.linalg.matrixPower and tm.linalg.matrixExp: functions of a square
// matrix built from products and solves, batched, in f32.
//
// matrixExp is scaling and squaring (Higham 2005) with the degree-7 Padé
// approximant, the highest single precision needs: A is scaled by 2⁻ˢ until
// ‖A·2⁻ˢ‖₁ ≤ θ₇, where the approximant is exact to f32's rounding, and the
// result squared s times. s differs between the matrices of a batch and is
// known only on the device, so each squaring step is applied to the
// matrices whose s reaches it and leaves the rest (a `where`); a GPU cannot
// say how many steps the batch needs without a read, so it runs
// `maxSquarings` of them (JAX's expm does the same), while js and native,
// which hold the values, stop at the batch's largest s: the same result.
import { tidy } from '../../engine.js';
import { ValueError, formatValue } from '../../errors.js';
import { isFloat } from '../../dtype.js';
import { checkOptions, type OptionNames } from '../../options.js';
import { sizeOf } from '../../shape.js';
import { noGrad, record } from '../../tape.js';
import type { Tensor } from '../../tensor.js';
import { eye, zeros } from '../creation.js';
import { abs, add, ceil, div, exp2, greater, log2, maximum, mul, neg, sub, where } from '../elementwise.js';
import { matmul } from '../matmul.js';
import { broadcastTo, clone, concat, expandDims, slice } from '../movement.js';
import { max, sum } from '../reduce.js';
import { checkTensor, heldValues, onBackendOf } from '../util.js';
import { castTo, checkSquare, inF32, matrixTranspose, squareSize } from './matrices.js';
import { inverse, solveMatrices } from './solve.js';

/** matrixExp's options. */
export interface MatrixExpOptions {
  /**
   * The most times a matrix's scaled exponential is squared (default 16,
   * JAX's): enough for ‖A‖₁ up to θ₇·2¹⁶ ≈ 2.6·10⁵. A matrix that needs
   * more gives NaN, on every backend. A GPU runs this many steps.
   */
  maxSquarings?: number;
}

const MATRIX_EXP_OPTIONS: OptionNames<MatrixExpOptions> = { maxSquarings: true };

/** The most squarings asked for: 2¹²⁶ is f32's largest power of two, the largest scale an f32 norm needs. */
const MOST_SQUARINGS = 126;

/** The largest ‖A‖₁ at which the degree-7 Padé approximant of exp is exact to single precision (Higham 2005, table 2.1 for u = 2⁻²⁴). */
const THETA_7 = 3.925724783138660;

/** The coefficients b₀…b₇ of the degree-7 Padé approximant of exp: p(x) = Σ bᵢxⁱ, q(x) = p(−x). */
const PADE_7 = [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1];

/** q(A)⁻¹·p(A) for f32 a [..., n, n] of norm ≤ θ₇: with U = A·(b₇A⁶ + b₅A⁴ + b₃A² + b₁I) and V = b₆A⁶ + b₄A⁴ + b₂A² + b₀I, p = V + U and q = V − U. */
function pade7(op: string, a: Tensor): Tensor {
  const n = a.shape[a.rank - 1];
  const identity = broadcastTo(onBackendOf(op, a, () => eye(n)), a.shape);
  const a2 = matmul(a, a);
  const a4 = matmul(a2, a2);
  const a6 = matmul(a4, a2);
  const b = PADE_7;
  const odd = add(add(mul(b[7], a6), mul(b[5], a4)), add(mul(b[3], a2), mul(b[1], identity)));
  const u = matmul(a, odd);
  const v = add(add(mul(b[6], a6), mul(b[4], a4)), add(mul(b[2], a2), mul(b[0], identity)));
  return solveMatrices(op, sub(v, u), add(v, u));
}

/** exp of each matrix of f32 a [..., n, n], not recorded (see the file's head). */
function expUnrecorded(op: string, a: Tensor, maxSquarings: number): Tensor {
  return noGrad(() => tidy(() => {
    // s = ⌈log₂(‖A‖₁/θ₇)⌉ at least 0, one per matrix, as [..., 1, 1] to scale and mask whole matrices.
    const norm = max(sum(abs(a), -2), -1);
    const s = expandDims(expandDims(maximum(ceil(log2(div(norm, THETA_7))), 0), -1), -1);
    let r = pade7(op, mul(a, exp2(neg(s))));
    const held = heldValues(op, s);
    const steps = held ? Math.min(maxSquarings, Array.from(held).reduce((m, v) => Math.max(m, Number.isNaN(v) ? 0 : v), 0)) : maxSquarings;
    for (let step = 0; step < steps; step++) r = where(greater(s, step), matmul(r, r), r);
    // s is NaN or ∞ where A holds one: the result is NaN there too, as it is past maxSquarings.
    return where(greater(s, maxSquarings), NaN, r);
  }));
}

/**
 * exp(A) for f32 a, recorded: its gradient dA = the top-right block of
 * exp([[Aᵀ, dY], [0, Aᵀ]]) (the Fréchet derivative of exp at Aᵀ in the
 * direction dY, Mathias 1996), itself through this function, so gradients
 * of gradients work too. The derivative is linear in dY, so dY is scaled by
 * a power of two to ‖dY‖₁ ≤ 1 first and the block scaled back: a large dY (a
 * loss scale of 2¹⁶) neither costs squarings nor pushes the block past
 * maxSquarings, which one more step covers for any A the forward pass took.
 */
function expRecorded(op: string, a: Tensor, maxSquarings: number): Tensor {
  const y = expUnrecorded(op, a, maxSquarings);
  return record(y, op, [a], [a], (dy, [sa]) => {
    const n = sa.shape[sa.rank - 1];
    const at = matrixTranspose(sa);
    // A constant to the derivative: c·L(dY/c) = L(dY) for any c.
    const scale = noGrad(() => {
      const norm = max(sum(abs(dy), -2, { keepDims: true }), -1, { keepDims: true });
      return exp2(maximum(ceil(log2(norm)), 0));
    });
    const block = concat([concat([at, div(dy, scale)], -1), concat([onBackendOf(op, sa, () => zeros(sa.shape)), at], -1)], -2);
    const e = expRecorded(op, block, Math.min(maxSquarings + 1, MOST_SQUARINGS));
    return [mul(slice(e, e.shape.map((d, i) => (i === e.rank - 1 ? n : 0)), [...sa.shape.slice(0, -2), n, n]), scale)];
  });
}

/** y, a value that does not depend on A's, linked to A with a zero gradient (as PyTorch's A⁰ and an empty exp are). */
function independentOf(op: string, a: Tensor, y: Tensor): Tensor {
  return record(y, op, [a], [], (dy) => [onBackendOf(op, dy, () => zeros(a.shape, { dtype: dy.dtype }))]);
}

/**
 * The matrix exponential Σ Aᵏ/k! of each matrix of A [..., n, n]
 * (torch.linalg.matrix_exp, scipy.linalg.expm), in f32 (f16 cast in and the
 * result back), by scaling and squaring with a Padé approximant (see the
 * file's head), accurate to f32's rounding relative to ‖exp(A)‖ for
 * matrices not far from normal. A matrix needing more than `maxSquarings`
 * squarings (‖A‖₁ > θ₇·2^maxSquarings), or holding NaN or ∞, gives NaN.
 * Differentiable (the gradient is an exponential of a 2n × 2n block).
 */
export function matrixExp(A: Tensor, options: MatrixExpOptions = {}): Tensor {
  checkSquare('matrixExp', A);
  const { maxSquarings = 16 } = checkOptions('matrixExp', options, MATRIX_EXP_OPTIONS);
  if (!Number.isInteger(maxSquarings) || maxSquarings < 0 || maxSquarings > MOST_SQUARINGS) {
    throw new ValueError(`matrixExp: maxSquarings must be an integer from 0 to 126 (2^126 is f32's largest scale), got ${formatValue(maxSquarings)}`);
  }
  if (sizeOf(A.shape) === 0) return independentOf('matrixExp', A, onBackendOf('matrixExp', A, () => zeros(A.shape, { dtype: A.dtype })));
  return tidy(() => castTo(expRecorded('matrixExp', inF32(A), maxSquarings), A.dtype));
}

/**
 * Aᵏ for each matrix of A [..., n, n] and an integer k (torch.linalg.
 * matrix_power, np.linalg.matrix_power): the identity for k = 0, products
 * by repeated squaring (about 2·log₂|k| of them) for k > 0, and the
 * inverse's power for k < 0 (a singular A is then an error on js and
 * native, as inv's; a float A only). In A's dtype, ints included (as
 * torch's and NumPy's); differentiable through the products.
 */
export function matrixPower(A: Tensor, k: number): Tensor {
  checkTensor('matrixPower', A, 'A');
  if (!Number.isSafeInteger(k)) throw new ValueError(`matrixPower: k must be an integer, got ${formatValue(k)}`);
  // Ints take products (exact, wrapping as matmul's do); a negative power needs the inverse, a float's.
  const n = k < 0 || isFloat(A.dtype) ? checkSquare('matrixPower', A) : squareSize('matrixPower', A);
  return tidy(() => {
    if (k === 0) return independentOf('matrixPower', A, broadcastTo(onBackendOf('matrixPower', A, () => eye(n, { dtype: A.dtype })), A.shape));
    let base = k < 0 ? castTo(inverse('matrixPower', inF32(A)), A.dtype) : A;
    let result: Tensor | null = null;
    for (let e = Math.abs(k); ; ) {
      if (e % 2 === 1) result = result ? matmul(result, base) : base;
      e = Math.floor(e / 2);
      if (e === 0) break;
      base = matmul(base, base);
    }
    // k = 1 gives A itself: a copy, so that the caller's result is a tensor of its own.
    return result === A ? clone(A) : result!;
  });
}
