// logsumexp and vector norms over axes, from the reductions. logsumexp
// shifts by the max so that no eˣ overflows (a row of −∞ gives −∞, a row
// holding +∞ gives +∞); the 2-norm's gradient at a zero vector is taken as 0,
// as PyTorch takes it, rather than 0/0.
import { tidy } from '../engine.js';
import { floatDTypeOf } from '../dtype.js';
import { ValueError, formatValue } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad, record } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { abs, add, exp, greater, log, mul, sqrt, square, sub, where } from './elementwise.js';
import { isFinite } from './logical.js';
import { max, sum, type ReduceOptions } from './reduce.js';
import { checkTensor } from './util.js';

type Axes = number | readonly number[];

/** log Σ exp(x) over `axes` (all by default), computed without overflow; ints give f32. */
export function logsumexp(x: Tensor, axes?: Axes, options: ReduceOptions = {}): Tensor {
  checkTensor('logsumexp', x);
  const { keepDims = false } = checkOptions('logsumexp', options, { keepDims: 'boolean' });
  return tidy(() => {
    const fx = x.dtype === floatDTypeOf(x.dtype) ? x : cast(x, floatDTypeOf(x.dtype));
    // The shift cancels in the value and in the gradient: a constant. A row's max of ±∞ shifts by 0 (the sum gives ±∞ or 0 itself).
    const shift = noGrad(() => {
      const m = max(fx, axes, { keepDims: true });
      return where(isFinite(m), m, 0);
    });
    const total = add(log(sum(exp(sub(fx, shift)), axes, { keepDims: true })), shift);
    return keepDims ? total : sum(total, axes); // summing size-1 axes drops them (and passes the gradient through)
  });
}

export interface NormOptions extends ReduceOptions {
  /** 2 (default, Euclidean), 1 (Σ|x|) or Infinity (max |x|). */
  ord?: 1 | 2 | typeof Infinity;
}

const NORM_OPTIONS: OptionNames<NormOptions> = { ord: true, keepDims: 'boolean' };

/** The vector norm of x over `axes` (all by default): torch.linalg.vector_norm. Ints give f32. */
export function norm(x: Tensor, axes?: Axes, options: NormOptions = {}): Tensor {
  checkTensor('norm', x);
  const { ord = 2, keepDims = false } = checkOptions('norm', options, NORM_OPTIONS);
  if (ord !== 1 && ord !== 2 && ord !== Infinity) throw new ValueError(`norm: ord must be 1, 2 or Infinity, got ${formatValue(ord)}`);
  return tidy(() => {
    const fx = x.dtype === floatDTypeOf(x.dtype) ? x : cast(x, floatDTypeOf(x.dtype));
    if (ord === 1) return sum(abs(fx), axes, { keepDims });
    if (ord === Infinity) return max(abs(fx), axes, { keepDims });
    // Squares summed in f32: an f16 vector's overflow past 256 (PyTorch accumulates half norms in float too).
    const squares = sum(square(fx.dtype === 'f16' ? cast(fx, 'f32') : fx), axes, { keepDims });
    const root = noGrad(() => sqrt(squares));
    const norm = record(root, 'norm', [squares], [root], (dy, [r]) => [where(greater(r, 0), mul(dy, 0.5).div(r), 0)]);
    return fx.dtype === 'f16' ? cast(norm, 'f16') : norm;
  });
}
