// Covariance and correlation matrices of variables observed together, as
// torch.cov and torch.corrcoef (NumPy's cov and corrcoef with each row a
// variable): the observations centred on their (weighted) means, then one
// matmul of the centred rows with themselves, so a thousand variables cost
// one matrix product, not a million reductions. Worked in f32 (f16 too, its
// sums of squares pass 65,504 soon), ints read as f32.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import { cast } from './cast.js';
import { diagonal } from './diagonal.js';
import { clip, div, maximum, sqrt, sub } from './elementwise.js';
import { matmul } from './matmul.js';
import { expandDims, reshape } from './movement.js';
import { mean, sum } from './reduce.js';
import { checkTensor } from './util.js';

export interface CovOptions {
  /** Subtracted from the observations' count (or weight) in the divisor: 1 (the default) the unbiased estimate, 0 the population's (NumPy's ddof). */
  correction?: number;
  /** How many times each observation counts: an int tensor [observations] (NumPy's fweights). */
  fweights?: Tensor;
  /** How much each observation weighs: a float tensor [observations] (NumPy's aweights). */
  aweights?: Tensor;
}

const COV_OPTIONS: OptionNames<CovOptions> = { correction: true, fweights: true, aweights: true };

/** A weight vector checked against x's observations, in f32. */
function weightsOf(name: 'fweights' | 'aweights', w: Tensor, observations: number): Tensor {
  checkTensor('cov', w, name);
  if (name === 'fweights' ? isFloat(w.dtype) : !isFloat(w.dtype)) {
    throw new DTypeError(`cov: ${name} must be ${name === 'fweights' ? 'an int tensor (i32 or i8): counts' : 'a float tensor'}, got ${w.dtype}`);
  }
  if (w.rank > 1 || w.size !== observations) {
    throw new ShapeError(`cov: ${name} must be [${observations}], a weight per observation, got ${formatShape(w.shape)}`);
  }
  return cast(reshape(w, [observations]), 'f32');
}

/**
 * The covariance matrix [V, V] of x [V, N], each row a variable and each
 * column an observation (torch.cov); x [N] is one variable and gives a
 * scalar. With weights w (fweights·aweights) the mean is Σwx / Σw and the
 * divisor Σw − correction (Σw − correction·Σ(w·aweights) / Σw with
 * aweights), as NumPy's. A divisor ≤ 0 (one observation and correction 1)
 * gives ∞ or NaN, as there. Weights are not checked to be ≥ 0 (that would
 * mean reading them back). Gradients flow to x and to aweights.
 */
export function cov(x: Tensor, options: CovOptions = {}): Tensor {
  const { correction = 1, fweights, aweights } = checkOptions('cov', options, COV_OPTIONS);
  checkTensor('cov', x);
  if (x.rank > 2) throw new ShapeError(`cov: x must be [variables, observations] or [observations], got ${formatShape(x.shape)}`);
  if (typeof correction !== 'number' || !Number.isFinite(correction)) throw new ValueError(`cov: correction must be a finite number, got ${formatValue(correction)}`);
  const observations = x.rank === 0 ? 1 : x.shape[x.rank - 1];
  const variables = x.rank === 2 ? x.shape[0] : 1;
  return tidy(() => {
    const v = reshape(x.dtype === 'f32' ? x : cast(x, 'f32'), [variables, observations]);
    const f = fweights === undefined ? undefined : weightsOf('fweights', fweights, observations);
    const a = aweights === undefined ? undefined : weightsOf('aweights', aweights, observations);
    const w = f && a ? f.mul(a) : f ?? a;
    let centred: Tensor;
    let divisor: Tensor | number;
    if (w === undefined) {
      centred = sub(v, mean(v, 1, { keepDims: true }));
      divisor = Math.max(observations - correction, 0);
    } else {
      const total = sum(w);
      centred = sub(v, div(sum(v.mul(w), 1, { keepDims: true }), total));
      divisor = maximum(a === undefined ? total.sub(correction) : total.sub(sum(w.mul(a)).mul(correction).div(total)), 0);
    }
    const c = div(matmul(w === undefined ? centred : centred.mul(w), centred, { transposeB: true }), divisor);
    const shaped = x.rank === 2 ? c : reshape(c, []);
    return x.dtype === 'f16' ? cast(shaped, 'f16') : shaped;
  });
}

/**
 * The Pearson correlation matrix [V, V] of x [V, N] (torch.corrcoef): the
 * covariance divided by both variables' standard deviations, clipped to
 * [−1, 1]; a variable that does not vary gives NaN in its row and column.
 * x [N] gives the scalar 1 (NaN if it does not vary).
 */
export function corrcoef(x: Tensor): Tensor {
  return tidy(() => {
    const c = cov(x);
    if (c.rank === 0) return div(c, c);
    const deviation = sqrt(diagonal(c));
    return clip(div(div(c, expandDims(deviation, 1)), expandDims(deviation, 0)), -1, 1);
  });
}
