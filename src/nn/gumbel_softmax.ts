// gumbelSoftmax, PyTorch's F.gumbel_softmax: a differentiable sample from
// the categorical distribution the logits define. Gumbel noise added to the
// logits makes their argmax a sample (the Gumbel-max trick); a softmax at
// temperature tau in place of the argmax lets gradients through, nearer a
// one-hot vector as tau falls. `hard` returns the one-hot vector itself,
// with the soft sample's gradient (the straight-through estimator).
import { isFloat } from '../dtype.js';
import { tidy } from '../engine.js';
import { DTypeError, ValueError, formatValue } from '../errors.js';
import { clip, moveaxis, oneHot, rand, softmax } from '../ops/index.js';
import { checkTensor, onBackendOf } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { checkSeed, freshSeed } from '../random.js';
import { normalizeAxis } from '../shape.js';
import type { Tensor } from '../tensor.js';

export interface GumbelSoftmaxOptions {
  /** The temperature (default 1), > 0: lower is nearer one-hot. */
  tau?: number;
  /** A one-hot sample whose gradient is the soft sample's (default false). */
  hard?: boolean;
  /** The axis the categories are along (default -1). */
  axis?: number;
  /** The noise's seed (default: the next from tm.setSeed's sequence). */
  seed?: number;
}

const OPTIONS: OptionNames<GumbelSoftmaxOptions> = { tau: true, hard: 'boolean', axis: true, seed: true };

/**
 * softmax((logits + g) / tau) along `axis`, g standard Gumbel noise
 * (−log of an Exponential(1) draw, as PyTorch's); with `hard`, the one-hot
 * vector of its largest entry, plus the soft sample minus itself detached,
 * so the values are one-hot and the gradient the soft sample's.
 */
export function gumbelSoftmax(logits: Tensor, options: GumbelSoftmaxOptions = {}): Tensor {
  checkTensor('gumbelSoftmax', logits, 'logits');
  const { tau = 1, hard = false, axis = -1, seed } = checkOptions('gumbelSoftmax', options, OPTIONS);
  if (!isFloat(logits.dtype)) throw new DTypeError(`gumbelSoftmax: logits must be f32 or f16, got ${logits.dtype}`);
  if (typeof tau !== 'number' || !(tau > 0) || !Number.isFinite(tau)) throw new ValueError(`gumbelSoftmax: tau must be a finite number > 0, got ${formatValue(tau)}`);
  if (seed !== undefined) checkSeed('gumbelSoftmax', seed);
  const a = normalizeAxis('gumbelSoftmax', axis, logits.rank);
  return tidy(() => {
    // u in (0, 1): rand may give 0, whose Exponential(1) draw −log(1 − u) would be 0 and its Gumbel +∞.
    const u = onBackendOf('gumbelSoftmax', logits, () => rand(logits.shape, { seed: seed ?? freshSeed() }));
    const exponential = clip(u, 2 ** -24, null).neg().log1p().neg();
    const gumbel = exponential.log().neg().cast(logits.dtype);
    const soft = softmax(logits.add(gumbel).div(tau), a);
    if (!hard) return soft;
    const oneHotLast = oneHot(soft.argmax(a), logits.shape[a], logits.dtype);
    const oneHotHere = moveaxis(oneHotLast, -1, a);
    return oneHotHere.sub(soft.detach()).add(soft);
  });
}
