// BatchNorm1d and BatchNorm2d, as PyTorch's: each channel (axis 1) normalised
// over the batch (and the length, or height and width) to mean 0 and
// variance 1, then scaled and shifted by a learned weight and bias. Training
// normalises with the batch's own statistics (the population variance) and
// moves running estimates toward them (by `momentum`, the variance unbiased);
// eval mode (predict, evaluate) normalises with the running estimates. The
// running estimates are buffers: saved and loaded with the model, not trained.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Module, type LayerConfig } from './module.js';

export interface BatchNormOptions {
  /** Added to the variance before its square root (default 1e-5). */
  epsilon?: number;
  /** How far each training step moves the running estimates toward the batch's (default 0.1, PyTorch's). */
  momentum?: number;
  /** A learned weight and bias per channel (default true); false normalises only. */
  affine?: boolean;
  /** Keep running estimates for eval mode (default true); false normalises with the batch's statistics in eval mode too, as PyTorch's. */
  trackRunningStats?: boolean;
}

const OPTIONS: OptionNames<BatchNormOptions> = { epsilon: true, momentum: true, affine: 'boolean', trackRunningStats: 'boolean' };

/** The settings of a layer that keeps running estimates (BatchNorm, InstanceNorm), checked; `defaults` where they differ between the two. */
export function runningNormSettings(kind: string, features: number, options: BatchNormOptions, defaults: { affine: boolean; trackRunningStats: boolean }): Required<BatchNormOptions> {
  if (!Number.isSafeInteger(features) || features <= 0) throw new ValueError(`${kind}: features must be a positive integer, got ${formatValue(features)}`);
  const { epsilon = 1e-5, momentum = 0.1, affine = defaults.affine, trackRunningStats = defaults.trackRunningStats } = checkOptions(kind, options, OPTIONS);
  if (typeof epsilon !== 'number' || !(epsilon > 0) || !Number.isFinite(epsilon)) throw new ValueError(`${kind}: epsilon must be a finite number > 0, got ${formatValue(epsilon)}`);
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) throw new ValueError(`${kind}: momentum must be a number in [0, 1], got ${formatValue(momentum)}`);
  return { epsilon, momentum, affine, trackRunningStats };
}

/**
 * Moves a running estimate toward what a batch observed, by `momentum`
 * (`scale`: momentum times any correction, as n/(n − 1) for a variance),
 * outside the graph and in the estimate's own dtype (f16 where a model was
 * saved in f16).
 */
export function moveEstimate(running: Tensor, observed: Tensor, momentum: number, scale: number): void {
  noGrad(() => tidy(() => {
    running.assign(running.mul(1 - momentum).add(observed.reshape(running.shape).cast(running.dtype).mul(scale)));
  }));
}

abstract class BatchNorm extends Module {
  readonly epsilon: number;
  readonly momentum: number;
  /** Null without affine. */
  weight: Tensor | null;
  bias: Tensor | null;
  /** The running estimate of each channel's mean (f32, or f16 as loaded): what eval mode normalises with; null without trackRunningStats. */
  runningMean: Tensor | null;
  /** The running estimate of each channel's variance (unbiased). */
  runningVar: Tensor | null;

  constructor(private readonly kind: 'BatchNorm1d' | 'BatchNorm2d', private readonly ranks: readonly number[], private readonly expected: (features: number) => string, readonly features: number, options: BatchNormOptions) {
    super();
    const { epsilon, momentum, affine, trackRunningStats } = runningNormSettings(kind, features, options, { affine: true, trackRunningStats: true });
    [this.epsilon, this.momentum] = [epsilon, momentum];
    this.weight = affine ? ones([features]) : null;
    this.bias = affine ? zeros([features]) : null;
    if (this.weight && this.bias) this.weight.requiresGrad = this.bias.requiresGrad = true;
    this.runningMean = trackRunningStats ? zeros([features]) : null;
    this.runningVar = trackRunningStats ? ones([features]) : null;
  }

  get affine(): boolean {
    return this.weight !== null;
  }

  get trackRunningStats(): boolean {
    return this.runningMean !== null;
  }

  forward(x: Tensor): Tensor {
    if (!this.ranks.includes(x.rank) || x.shape[1] !== this.features) {
      throw new ShapeError(`${this.kind}: x ${formatShape(x.shape)} is not ${this.expected(this.features)}`);
    }
    const axes = x.shape.flatMap((_, i) => (i === 1 ? [] : [i]));
    const count = axes.reduce((n, a) => n * x.shape[a], 1);
    const channels = x.shape.map((d, i) => (i === 1 ? d : 1));
    return tidy(() => {
      let mean: Tensor;
      let variance: Tensor;
      if (this.training || !this.runningMean || !this.runningVar) {
        if (count < 2) {
          throw new ShapeError(this.training
            ? `${this.kind}: training needs more than one value per channel to take a variance of, x ${formatShape(x.shape)} has ${count} (in fit, a last batch of one sample: pass dropLast: true, or a batchSize that does not leave one over)`
            : `${this.kind}: without running estimates (trackRunningStats: false) eval mode too normalises by the batch, which needs more than one value per channel; x ${formatShape(x.shape)} has ${count}`);
        }
        mean = x.mean(axes, { keepDims: true });
        variance = x.variance(axes, { keepDims: true });
        const [runningMean, runningVar] = [this.runningMean, this.runningVar];
        if (this.training && runningMean && runningVar) {
          // The variance unbiased, as PyTorch's.
          moveEstimate(runningMean, mean, this.momentum, this.momentum);
          moveEstimate(runningVar, variance, this.momentum, (this.momentum * count) / (count - 1));
        }
      } else {
        mean = this.inPrecisionOf(x, this.runningMean).reshape(channels);
        variance = this.inPrecisionOf(x, this.runningVar).reshape(channels);
      }
      const normalised = x.sub(mean).div(variance.add(this.epsilon).sqrt());
      if (!this.weight || !this.bias) return normalised;
      return normalised.mul(this.inPrecisionOf(x, this.weight).reshape(channels)).add(this.inPrecisionOf(x, this.bias).reshape(channels));
    });
  }

  override ownParameters(): Record<string, Tensor> {
    return this.weight && this.bias ? { weight: this.weight, bias: this.bias } : {};
  }

  override ownBuffers(): Record<string, Tensor> {
    return this.runningMean && this.runningVar ? { runningMean: this.runningMean, runningVar: this.runningVar } : {};
  }

  /** affine and trackRunningStats written only when off: files from before they existed hold neither. */
  config(): LayerConfig {
    return {
      type: this.kind, features: this.features, epsilon: this.epsilon, momentum: this.momentum,
      ...(this.affine ? {} : { affine: false }), ...(this.trackRunningStats ? {} : { trackRunningStats: false }),
    };
  }
}

/** Over [batch, features] or [batch, features, length]: after a Dense, or a 1-D convolution's channels. */
export class BatchNorm1d extends BatchNorm {
  constructor(features: number, options: BatchNormOptions = {}) {
    super('BatchNorm1d', [2, 3], (c) => `[batch, ${c}] or [batch, ${c}, length]`, features, options);
  }
}

/** Over NCHW images [batch, features, height, width] (features: the channels): after a Conv2d. */
export class BatchNorm2d extends BatchNorm {
  constructor(features: number, options: BatchNormOptions = {}) {
    super('BatchNorm2d', [4], (c) => `[batch, ${c}, height, width]`, features, options);
  }
}
