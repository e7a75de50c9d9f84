// Negative log-likelihoods of targets under a predicted distribution, as
// PyTorch's poisson_nll_loss (a predicted rate of counts) and
// gaussian_nll_loss (a predicted mean and variance), their constants and
// epsilons where PyTorch puts them. Elementwise; per sample the mean of a
// row's terms, so 'mean' is PyTorch's mean over every element.
import { tidy } from '../engine.js';
import { DTypeError, ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { isFloat } from '../dtype.js';
import { decodeF16 } from '../f16.js';
import * as ops from '../ops/index.js';
import { heldValues } from '../ops/util.js';
import { checkOptions, type OptionNames } from '../options.js';
import { sameShape } from '../shape.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { perSampleMean, reduce, sameShapes, type LossOptions } from './reduction.js';

function checkFloat(loss: string, name: string, x: Tensor): void {
  if (!isFloat(x.dtype)) throw new DTypeError(`${loss}: ${name} must be f32 or f16, got ${x.dtype}`);
}

function checkEpsilon(loss: string, epsilon: unknown): asserts epsilon is number {
  if (typeof epsilon !== 'number' || !(epsilon >= 0) || !Number.isFinite(epsilon)) throw new ValueError(`${loss}: epsilon must be a finite number ≥ 0, got ${formatValue(epsilon)}`);
}

export interface PoissonNllOptions extends LossOptions {
  /** The input is the log of the rate (default true, PyTorch's log_input); false: the rate itself. */
  logInput?: boolean;
  /** Add Stirling's approximation of log(target!), so the loss is the whole negative log-likelihood (default false). */
  full?: boolean;
  /** Added to a rate before its log where logInput is false (default 1e-8). */
  epsilon?: number;
}

const POISSON_OPTIONS: OptionNames<PoissonNllOptions> = { reduction: true, logInput: 'boolean', full: 'boolean', epsilon: true };

/**
 * Counts `target` under a Poisson of predicted rate, as PyTorch's
 * poisson_nll_loss, elementwise: e^input − target·input with logInput (the
 * default), input − target·log(input + ε) without; `full` adds
 * target·log(target) − target + ½·log(2π·target) where target > 1 (0 where
 * target ≤ 1, as there).
 */
export function poissonNll(input: Tensor, target: Tensor, options: PoissonNllOptions = {}): Tensor {
  const { reduction, logInput = true, full = false, epsilon = 1e-8 } = checkOptions('poissonNll', options, POISSON_OPTIONS);
  checkEpsilon('poissonNll', epsilon);
  checkFloat('poissonNll', 'input', input);
  checkFloat('poissonNll', 'target', target);
  sameShapes('poissonNll', input, target, ['input', 'target']);
  return tidy(() => {
    let loss = logInput ? input.exp().sub(target.mul(input)) : input.sub(target.mul(input.add(epsilon).log()));
    if (full) {
      // Counted where target > 1 only; the log of 1 elsewhere keeps the branch where() leaves out (and its gradient) finite.
      const counted = target.greater(1);
      const t = ops.where(counted, target, 1);
      const stirling = t.mul(t.log()).sub(t).add(t.mul(2 * Math.PI).log().mul(0.5));
      loss = loss.add(ops.where(counted, stirling, 0));
    }
    return reduce(perSampleMean(loss), reduction);
  });
}

export interface GaussianNllOptions extends LossOptions {
  /** Add the constant ½·log(2π), so the loss is the whole negative log-likelihood (default false). */
  full?: boolean;
  /** The least variance: smaller ones are taken as this (default 1e-6). */
  epsilon?: number;
}

const GAUSSIAN_OPTIONS: OptionNames<GaussianNllOptions> = { reduction: true, full: 'boolean', epsilon: true };

/**
 * `variance` as PyTorch's gaussian_nll_loss reads it against input's shape:
 * the same shape (a variance per value), or input's shape without its last
 * axis, or with that axis of size 1 (one variance per row: shared along the last axis).
 */
export function varianceFor(input: Tensor, variance: Tensor): Tensor {
  if (sameShape(variance.shape, input.shape)) return variance;
  const rows = input.shape.slice(0, -1);
  if (input.rank > 0 && sameShape(variance.shape, rows)) return variance.reshape([...rows, 1]);
  if (input.rank > 0 && sameShape(variance.shape, [...rows, 1])) return variance;
  throw new ShapeError(
    `gaussianNll: variance ${formatShape(variance.shape)} does not fit input ${formatShape(input.shape)}: expected ${formatShape(input.shape)}, ${formatShape(rows)} or ${formatShape([...rows, 1])}`,
  );
}

/** A ValueError naming a negative variance, where the values can be read at once (js, native); true where they could be. */
function refuseNegative(variance: Tensor): boolean {
  const held = heldValues('gaussianNll', variance);
  if (!held) return false;
  const values = variance.dtype === 'f16' ? decodeF16((held as Uint16Array).subarray(0, variance.size)) : held;
  for (let i = 0; i < variance.size; i++) {
    if (values[i] < 0) throw new ValueError(`gaussianNll: variance holds ${values[i]} at flat index ${i}; a variance is ≥ 0`);
  }
  return true;
}

/**
 * Targets under Gaussians of predicted mean `input` and `variance`, as
 * PyTorch's gaussian_nll_loss, elementwise: ½·(log v + (input − target)²/v),
 * v = max(variance, ε), plus ½·log(2π) with `full`. The clamp is PyTorch's
 * too in the gradient: none of it, so the variance's gradient flows as if
 * unclamped (at v = ε where clamped). `variance` is input's shape, or one
 * per row (input's shape without its last axis, or with it of size 1), or
 * a number for every term (PyTorch's float var, its clamp the same). A
 * negative variance is an error where the values can be read at once (js,
 * native), its terms NaN on a GPU.
 */
export function gaussianNll(input: Tensor, target: Tensor, variance: Tensor | number, options: GaussianNllOptions = {}): Tensor {
  const { reduction, full = false, epsilon = 1e-6 } = checkOptions('gaussianNll', options, GAUSSIAN_OPTIONS);
  checkEpsilon('gaussianNll', epsilon);
  checkFloat('gaussianNll', 'input', input);
  checkFloat('gaussianNll', 'target', target);
  sameShapes('gaussianNll', input, target, ['input', 'target']);
  if (typeof variance === 'number') {
    if (!(variance >= 0) || !Number.isFinite(variance)) throw new ValueError(`gaussianNll: variance must be a finite number ≥ 0 or a tensor, got ${formatValue(variance)}`);
  } else checkFloat('gaussianNll', 'variance', variance);
  const checked = typeof variance === 'number' || refuseNegative(variance);
  return tidy(() => {
    const constant = full ? 0.5 * Math.log(2 * Math.PI) : 0;
    const squares = input.sub(target).square();
    if (typeof variance === 'number') {
      const v = Math.max(variance, epsilon);
      return reduce(perSampleMean(squares.div(v).add(Math.log(v)).mul(0.5).add(constant)), reduction);
    }
    const v = varianceFor(input, variance);
    const clamped = v.add(noGrad(() => ops.maximum(v, epsilon).sub(v)));
    let loss = clamped.log().add(squares.div(clamped)).mul(0.5).add(constant);
    // Unchecked (a GPU): a negative variance's terms NaN, not the clamp's silent ε. A term of the variance alone, with no gradient through it.
    if (!checked) loss = loss.add(noGrad(() => ops.where(v.less(0), NaN, 0).cast(loss.dtype)));
    return reduce(perSampleMean(loss), reduction);
  });
}
