// Gradient clipping, as PyTorch's torch.nn.utils: by norm (clip_grad_norm_),
// the gradients of all the parameters scaled together, by
// maxNorm / (norm + 1e-6) when their joint norm exceeds maxNorm, so their
// directions stay as they were (what keeps an RNN's exploding gradients from
// throwing its weights away in one step); or by value (clip_grad_value_),
// each entry clamped to [−clipValue, clipValue]. Computed on the device (no
// readback).
import { keep, tidy } from '../engine.js';
import { ValueError, formatValue } from '../errors.js';
import { add, clip, maximum, minimum, scalar } from '../ops/index.js';
import { checkOptions } from '../options.js';
import { noGrad } from '../tape.js';
import { Tensor } from '../tensor.js';

export interface ClipGradNormOptions {
  /** 2 (default): the Euclidean norm of all gradients as one vector; Infinity: their largest magnitude. */
  normType?: 2 | typeof Infinity;
}

/**
 * Scales the gradients of `parameters` in place so that their joint norm is
 * at most `maxNorm`; returns that norm as it was before (a scalar f32
 * tensor). Parameters without a gradient are left out.
 */
export function clipGradNorm(parameters: readonly Tensor[], maxNorm: number, options: ClipGradNormOptions = {}): Tensor {
  const { normType = 2 } = checkOptions('clipGradNorm', options, { normType: true });
  if (!Array.isArray(parameters) || parameters.some((p) => !(p instanceof Tensor))) throw new ValueError('clipGradNorm: parameters must be an array of tensors (model.parameters())');
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0) || !Number.isFinite(maxNorm)) throw new ValueError(`clipGradNorm: maxNorm must be a finite number ≥ 0, got ${formatValue(maxNorm)}`);
  if (normType !== 2 && normType !== Infinity) throw new ValueError(`clipGradNorm: normType must be 2 or Infinity, got ${formatValue(normType)}`);
  const grads = parameters.map((p) => p.grad).filter((g): g is Tensor => g !== null && !g.isDisposed);
  if (!grads.length) return scalar(0);
  return noGrad(() => {
    // In f32 whatever the gradients' dtype: an f16 gradient's squares overflow past 256.
    const norm = tidy(() => {
      const parts = grads.map((g) => (normType === 2 ? g.cast('f32').square().sum() : g.cast('f32').abs().max()));
      const total = parts.reduce((a, b) => (normType === 2 ? add(a, b) : maximum(a, b)));
      return normType === 2 ? total.sqrt() : total;
    });
    const coefficient = tidy(() => minimum(scalar(maxNorm).div(norm.add(1e-6)), 1));
    for (const p of parameters) {
      if (!p.grad || p.grad.isDisposed) continue;
      const scaled = keep(tidy(() => p.grad!.mul(coefficient.cast(p.grad!.dtype))));
      p.grad.dispose();
      p.grad = scaled;
    }
    coefficient.dispose();
    return norm;
  });
}

/**
 * Clamps every entry of the gradients of `parameters` to [−clipValue,
 * clipValue] in place (a NaN stays NaN). Parameters without a gradient are
 * left out.
 */
export function clipGradValue(parameters: readonly Tensor[], clipValue: number): void {
  if (!Array.isArray(parameters) || parameters.some((p) => !(p instanceof Tensor))) throw new ValueError('clipGradValue: parameters must be an array of tensors (model.parameters())');
  if (typeof clipValue !== 'number' || !(clipValue >= 0) || !Number.isFinite(clipValue)) throw new ValueError(`clipGradValue: clipValue must be a finite number ≥ 0, got ${formatValue(clipValue)}`);
  noGrad(() => {
    for (const p of parameters) {
      if (!p.grad || p.grad.isDisposed) continue;
      const clamped = keep(tidy(() => clip(p.grad!, -clipValue, clipValue)));
      p.grad.dispose();
      p.grad = clamped;
    }
  });
}
