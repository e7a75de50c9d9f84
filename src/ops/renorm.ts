// torch.renorm: each slice of x along an axis scaled down to a p-norm of at
// most maxnorm (embedding max_norm's rescaling, weight-norm clipping). A
// slice already within it is left as it is; one beyond is multiplied by
// maxnorm / (‖slice‖ + 1e-7), PyTorch's factor, so it lands just under.
import { tidy } from '../engine.js';
import { isFloat } from '../dtype.js';
import { DTypeError, ShapeError, ValueError, formatValue } from '../errors.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { abs, add, div, greater, mul, where } from './elementwise.js';
import { vectorNorm } from './linalg/norms.js';
import { checkTensor } from './util.js';

/**
 * x with each slice x[…, i, …] along `axis` (all of x's entries at index i
 * of that axis) whose p-norm exceeds maxnorm scaled to maxnorm / (norm +
 * 1e-7) times itself (torch.renorm); the others unchanged. p > 0 (Infinity
 * for the largest |x|), maxnorm ≥ 0. Float x only; differentiable, the
 * scale's dependence on x included.
 */
export function renorm(x: Tensor, p: number, axis: number, maxnorm: number): Tensor {
  checkTensor('renorm', x);
  if (!isFloat(x.dtype)) throw new DTypeError(`renorm: x must be a float tensor (f32 or f16), got ${x.dtype}`);
  if (typeof p !== 'number' || !(p > 0)) throw new ValueError(`renorm: p must be a positive number (Infinity for the largest |x|), got ${formatValue(p)}`);
  if (typeof maxnorm !== 'number' || !(maxnorm >= 0)) throw new ValueError(`renorm: maxnorm must be a number ≥ 0, got ${formatValue(maxnorm)}`);
  if (x.rank === 0) throw new ShapeError('renorm: x is a scalar: there is no axis to take slices along');
  const a = normalizeAxis('renorm', axis, x.rank);
  const others = x.shape.flatMap((_, i) => (i === a ? [] : [i]));
  return tidy(() => {
    // A slice of one entry (x a vector) has |x| for every norm.
    const norms = others.length ? vectorNorm(x, p, { axis: others, keepDims: true }) : abs(x);
    return mul(x, where(greater(norms, maxnorm), div(maxnorm, add(norms, 1e-7)), 1));
  });
}
