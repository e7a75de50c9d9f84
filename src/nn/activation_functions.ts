// The activation functions, as PyTorch's torch.nn.functional defines them,
// built from elementwise ops (so autograd differentiates them, and the
// webgpu backend fuses each into one kernel). Where PyTorch's gradient at a
// kink differs from what the composition would give, the composition is
// chosen to give PyTorch's.
import { tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import * as ops from '../ops/index.js';
import { checkTensor } from '../ops/util.js';
import { normalizeAxis } from '../shape.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';

/** A finite number, or a ValueError naming the function and the argument. */
export function finiteArgument(fn: string, name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ValueError(`${fn}: ${name} must be a finite number, got ${formatValue(v)}`);
  return v;
}

/** x where x > 0, alpha·x elsewhere (any alpha: max(x, alpha·x) is that only for alpha ≤ 1), with PyTorch's gradient alpha at 0. */
export function leakyRelu(x: Tensor, alpha = 0.01): Tensor {
  return tidy(() => ops.where(ops.greater(x, 0), x, ops.mul(x, alpha)));
}

/** How GELU is computed: 'none' exactly, x·Φ(x) through erf (PyTorch's default); 'tanh' by its tanh approximation (GPT-2's). */
export type GeluApproximation = 'none' | 'tanh';

/** GELU, x·Φ(x) with Φ the standard normal's distribution function: exact by default, as PyTorch's F.gelu. */
export function gelu(x: Tensor, approximate: GeluApproximation = 'none'): Tensor {
  if (approximate !== 'none' && approximate !== 'tanh') throw new ValueError(`gelu: approximate must be 'none' or 'tanh', got ${formatValue(approximate)}`);
  return tidy(() => {
    if (approximate === 'none') return ops.mul(ops.mul(x, 0.5), ops.add(ops.erf(ops.mul(x, Math.SQRT1_2)), 1));
    const inner = ops.mul(ops.add(x, ops.mul(ops.mul(ops.mul(x, x), x), 0.044715)), Math.sqrt(2 / Math.PI));
    return ops.mul(ops.mul(x, 0.5), ops.add(ops.tanh(inner), 1));
  });
}

/** SiLU (swish): x·σ(x). */
export function silu(x: Tensor): Tensor {
  return tidy(() => ops.mul(x, ops.sigmoid(x)));
}

/**
 * alpha·(e^(scale·x) − 1), ELU's and CELU's part for x ≤ 0, of x with its
 * positive values set to 0: the branch where() leaves out must stay finite
 * for large x (its ∞ would make the gradient 0 · ∞ = NaN). A where, not
 * minimum(x, 0), which would halve the gradient at 0.
 */
function negativePart(x: Tensor, alpha: number, scale = 1): Tensor {
  return ops.mul(ops.expm1(ops.mul(ops.where(ops.greater(x, 0), 0, x), scale)), alpha);
}

/** ELU: x for x > 0, alpha·(eˣ − 1) elsewhere (gradient alpha at 0, as PyTorch's). */
export function elu(x: Tensor, alpha = 1): Tensor {
  finiteArgument('elu', 'alpha', alpha);
  return tidy(() => ops.where(ops.greater(x, 0), x, negativePart(x, alpha)));
}

/** SELU's constants (Klambauer et al. 2017), as PyTorch's. */
export const SELU_ALPHA = 1.6732632423543772848170429916717;
export const SELU_SCALE = 1.0507009873554804934193349852946;

/** SELU: scale · ELU(x, alpha) with the self-normalising constants. */
export function selu(x: Tensor): Tensor {
  return tidy(() => ops.mul(ops.where(ops.greater(x, 0), x, negativePart(x, SELU_ALPHA)), SELU_SCALE));
}

/** CELU: max(0, x) + min(0, alpha·(e^(x/alpha) − 1)); alpha ≠ 0. */
export function celu(x: Tensor, alpha = 1): Tensor {
  if (finiteArgument('celu', 'alpha', alpha) === 0) throw new ValueError('celu: alpha must not be 0');
  return tidy(() => ops.where(ops.greater(x, 0), x, negativePart(x, alpha, 1 / alpha)));
}

export interface SoftplusOptions {
  /** Default 1. */
  beta?: number;
  /** Above this, beta·x is returned as x (default 20, where log(1 + e^(βx)) is βx in f32). */
  threshold?: number;
}

/** Softplus: log(1 + e^(βx))/β, a smooth relu; linear where βx > threshold. */
export function softplus(x: Tensor, options: SoftplusOptions = {}): Tensor {
  const beta = finiteArgument('softplus', 'beta', options.beta ?? 1);
  const threshold = finiteArgument('softplus', 'threshold', options.threshold ?? 20);
  if (beta === 0) throw new ValueError('softplus: beta must not be 0');
  return tidy(() => {
    const bx = ops.mul(x, beta);
    // max(βx, 0) + log(1 + e^−|βx|), which exponentiates no positive number: e^(βx) overflows f16 from βx ≈ 11,
    // below the threshold. Each side by where(), not max and |·|, so the gradient at 0 is σ(0) = ½.
    const positive = ops.greater(bx, 0);
    const smooth = ops.div(ops.add(ops.where(positive, bx, 0), ops.log1p(ops.exp(ops.where(positive, ops.neg(bx), bx)))), beta);
    return ops.where(ops.greater(bx, threshold), x, smooth);
  });
}

/** Mish: x·tanh(softplus(x)). */
export function mish(x: Tensor): Tensor {
  return tidy(() => ops.mul(x, ops.tanh(softplus(x))));
}

/**
 * Clamps to [min, max] with PyTorch's hardtanh gradient: 1 strictly inside,
 * 0 at the ends (clip passes the ends, as clamp does).
 */
export function hardtanh(x: Tensor, min = -1, max = 1): Tensor {
  finiteArgument('hardtanh', 'min', min);
  finiteArgument('hardtanh', 'max', max);
  if (!(min < max)) throw new ValueError(`hardtanh: min ${min} must be below max ${max}`);
  return tidy(() => {
    // The clamped values (NaN stays NaN) carry no gradient; x passes its own where strictly inside.
    // A NaN's is 0, as PyTorch's vectorised kernel gives (its scalar loop, for a tensor's last few elements, passes it).
    const clamped = noGrad(() => ops.clip(x, min, max));
    return ops.where(ops.logicalAnd(ops.greater(x, min), ops.less(x, max)), x, clamped);
  });
}

/** min(max(0, x), 6): hardtanh on [0, 6], as PyTorch's ReLU6. */
export function relu6(x: Tensor): Tensor {
  return hardtanh(x, 0, 6);
}

/** (x + 3)/6 clamped to [0, 1]; gradient 1/6 strictly inside (−3, 3), as PyTorch's. */
export function hardsigmoid(x: Tensor): Tensor {
  return tidy(() => ops.div(hardtanh(ops.add(x, 3), 0, 6), 6));
}

/**
 * x·relu6(x + 3)/6 (MobileNetV3's): 0 below −3, x above 3, x(x + 3)/6
 * between. PyTorch's gradient: 0 below −3, x/3 + ½ up to 3 (its ends
 * included), 1 above. The middle piece is taken of x clamped to [−3, 3],
 * so neither its value nor its gradient can overflow where it is not used
 * (x·relu6(x + 3)/6 written as one product gave ∞·0, a NaN gradient, at ±∞).
 */
export function hardswish(x: Tensor): Tensor {
  return tidy(() => {
    const m = ops.clip(x, -3, 3);
    const middle = ops.div(ops.mul(m, ops.add(m, 3)), 6);
    return ops.where(ops.greater(x, 3), x, ops.where(ops.less(x, -3), 0, middle));
  });
}

/** x/(1 + |x|). */
export function softsign(x: Tensor): Tensor {
  return tidy(() => ops.div(x, ops.add(ops.abs(x), 1)));
}

/** log σ(x) = min(x, 0) − log(1 + e^(−|x|)), which neither overflows nor loses small values. */
export function logSigmoid(x: Tensor): Tensor {
  return tidy(() => ops.sub(ops.minimum(x, 0), ops.log1p(ops.exp(ops.neg(ops.abs(x))))));
}

/**
 * PReLU: x for x > 0, a·x elsewhere, with `weight` holding a (one value, or
 * one per channel: axis 1 of x, as PyTorch's).
 */
export function prelu(x: Tensor, weight: Tensor): Tensor {
  if (weight.rank !== 1) throw new ValueError(`prelu: weight must be a vector, got shape [${weight.shape.join(', ')}]`);
  const channels = weight.shape[0];
  if (channels !== 1 && (x.rank < 2 || x.shape[1] !== channels)) {
    throw new ValueError(`prelu: ${channels} weights need x with ${channels} channels on axis 1, got shape [${x.shape.join(', ')}]`);
  }
  return tidy(() => {
    // One weight per channel, set along axis 1.
    const a = channels === 1 ? weight : ops.reshape(weight, [channels, ...Array<number>(x.rank - 2).fill(1)]);
    return ops.where(ops.greater(x, 0), x, ops.mul(x, a));
  });
}

/** GLU: the first half of x along `axis` times σ of the second (the axis's size must be even). */
export function glu(x: Tensor, axis = -1): Tensor {
  if (!Number.isInteger(axis)) throw new ValueError(`glu: axis must be an integer, got ${formatValue(axis)}`);
  const at = axis < 0 ? axis + x.rank : axis;
  if (at < 0 || at >= x.rank) throw new ValueError(`glu: axis ${axis} is out of range for shape [${x.shape.join(', ')}]`);
  if (x.shape[at] % 2 !== 0) throw new ValueError(`glu: axis ${axis} of shape [${x.shape.join(', ')}] has odd size ${x.shape[at]}; it is halved`);
  return tidy(() => {
    // Two slices rather than split, which refuses pieces of size 0 (an empty axis halves to empty halves).
    const half = x.shape.map((n, i) => (i === at ? n / 2 : n));
    const a = ops.slice(x, x.shape.map(() => 0), half);
    const b = ops.slice(x, x.shape.map((_, i) => (i === at ? half[at] : 0)), half);
    return ops.mul(a, ops.sigmoid(b));
  });
}

/** Softmin along `axis` (default the last): softmax of −x, the smallest values weighted most. */
export function softmin(x: Tensor, axis = -1): Tensor {
  if (!Number.isInteger(axis)) throw new ValueError(`softmin: axis must be an integer, got ${formatValue(axis)}`);
  // Checked here, so that an axis out of range is softmin's error, not the softmax's it is built on.
  normalizeAxis('softmin', axis, checkTensor('softmin', x).rank);
  return tidy(() => ops.softmax(ops.neg(x), axis));
}

/** λ ≥ 0 and finite, as PyTorch's softshrink requires (hardshrink takes any λ; a negative one zeroes nothing). */
function shrinkLambda(fn: string, lambd: number, nonNegative: boolean): number {
  finiteArgument(fn, 'lambd', lambd);
  if (nonNegative && lambd < 0) throw new ValueError(`${fn}: lambd must be ≥ 0, got ${lambd}`);
  return lambd;
}

/**
 * Hardshrink: 0 on [−λ, λ], x elsewhere. PyTorch's gradient (ATen's
 * shrink_backward): 0 on [−λ, λ], its ends included, 1 outside; NaN passes
 * as NaN with gradient 1, as there (it is not inside).
 */
export function hardshrink(x: Tensor, lambd = 0.5): Tensor {
  shrinkLambda('hardshrink', lambd, false);
  return tidy(() => ops.where(ops.logicalAnd(ops.greaterEqual(x, -lambd), ops.lessEqual(x, lambd)), 0, x));
}

/**
 * Softshrink: x − λ above λ, x + λ below −λ, 0 between; λ ≥ 0. PyTorch's
 * gradient (ATen's shrink_backward, shared with hardshrink): 0 on [−λ, λ],
 * its ends included, 1 outside.
 */
export function softshrink(x: Tensor, lambd = 0.5): Tensor {
  shrinkLambda('softshrink', lambd, true);
  return tidy(() => {
    const inside = ops.logicalAnd(ops.greaterEqual(x, -lambd), ops.lessEqual(x, lambd));
    // NaN is neither inside nor above λ: x + λ, NaN, with gradient 1 as shrink_backward gives it.
    return ops.where(inside, 0, ops.where(ops.greater(x, lambd), ops.sub(x, lambd), ops.add(x, lambd)));
  });
}

/** Tanhshrink: x − tanh(x) (gradient tanh²(x), smooth). */
export function tanhshrink(x: Tensor): Tensor {
  return tidy(() => ops.sub(x, ops.tanh(x)));
}

/**
 * Threshold: x where x > threshold, `value` elsewhere, as PyTorch's
 * F.threshold. Its gradient (ATen's threshold_backward): 0 where
 * x ≤ threshold, the threshold itself included, 1 above; NaN stays NaN with
 * gradient 1, as there (NaN ≤ threshold is false).
 */
export function threshold(x: Tensor, threshold: number, value: number): Tensor {
  finiteArgument('threshold', 'threshold', threshold);
  finiteArgument('threshold', 'value', value);
  return tidy(() => ops.where(ops.lessEqual(x, threshold), value, x));
}
