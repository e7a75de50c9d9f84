// InstanceNorm1d and InstanceNorm2d, as PyTorch's: each sample's channel
// normalised over its own positions (the length, or height and width) to mean
// 0 and variance 1 (the population variance, plus epsilon); with affine, then
// scaled and shifted by a learned weight and bias per channel. PyTorch's
// defaults differ from BatchNorm's: no affine and no running estimates, so
// eval mode normalises each sample by its own statistics too. With
// trackRunningStats, training moves running estimates toward the batch's
// average of the samples' statistics (by `momentum`, each sample's variance
// unbiased, as PyTorch's), and eval mode normalises with them instead. The
// running estimates are buffers, as BatchNorm's: saved and loaded with the
// model, not trained.
import { tidy } from '../engine.js';
import { ShapeError, formatShape } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import type { Tensor } from '../tensor.js';
import { moveEstimate, runningNormSettings } from './batch_norm.js';
import { Module, type LayerConfig } from './module.js';

export interface InstanceNormOptions {
  /** Added to the variance before its square root (default 1e-5, PyTorch's eps). */
  epsilon?: number;
  /** How far each training step moves the running estimates toward the batch's (default 0.1); used with trackRunningStats only. */
  momentum?: number;
  /** A learned weight and bias per channel (default false, as PyTorch's). */
  affine?: boolean;
  /** Keep running estimates, which eval mode then normalises with (default false, as PyTorch's: eval mode uses each sample's own statistics). */
  trackRunningStats?: boolean;
}

abstract class InstanceNorm extends Module {
  readonly epsilon: number;
  readonly momentum: number;
  /** Null without affine. */
  weight: Tensor | null;
  bias: Tensor | null;
  /** The running estimate of each channel's mean: what eval mode normalises with; null without trackRunningStats. */
  runningMean: Tensor | null;
  /** The running estimate of each channel's variance (unbiased). */
  runningVar: Tensor | null;

  constructor(private readonly kind: 'InstanceNorm1d' | 'InstanceNorm2d', private readonly rank: number, private readonly expected: (features: number) => string, readonly features: number, options: InstanceNormOptions) {
    super();
    const { epsilon, momentum, affine, trackRunningStats } = runningNormSettings(kind, features, options, { affine: false, trackRunningStats: false });
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
    if (x.rank !== this.rank || x.shape[1] !== this.features) {
      throw new ShapeError(`${this.kind}: x ${formatShape(x.shape)} is not ${this.expected(this.features)}`);
    }
    const positions = x.shape.slice(2).map((_, i) => i + 2);
    const count = x.shape.slice(2).reduce((n, d) => n * d, 1);
    const channels = x.shape.map((d, i) => (i === 1 ? d : 1));
    return tidy(() => {
      let mean: Tensor;
      let variance: Tensor;
      if (this.training || !this.runningMean || !this.runningVar) {
        // PyTorch refuses this too: a lone value normalises to 0, and its unbiased variance divides by 0.
        if (count < 2) {
          throw new ShapeError(`${this.kind}: normalising each sample by its own statistics needs more than one value per channel to take a variance of, x ${formatShape(x.shape)} has ${count}`);
        }
        mean = x.mean(positions, { keepDims: true });
        variance = x.variance(positions, { keepDims: true });
        const [runningMean, runningVar] = [this.runningMean, this.runningVar];
        // (An empty batch observes nothing: its average would be NaN.)
        if (this.training && runningMean && runningVar && x.shape[0] > 0) {
          // The samples' statistics averaged over the batch: PyTorch moves one estimate per sample and averages those.
          moveEstimate(runningMean, mean.mean(0), this.momentum, this.momentum);
          moveEstimate(runningVar, variance.mean(0), this.momentum, (this.momentum * count) / (count - 1));
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

  config(): LayerConfig {
    return { type: this.kind, features: this.features, epsilon: this.epsilon, momentum: this.momentum, affine: this.affine, trackRunningStats: this.trackRunningStats };
  }
}

/** Over sequences [batch, features, length]: after a Conv1d. */
export class InstanceNorm1d extends InstanceNorm {
  constructor(features: number, options: InstanceNormOptions = {}) {
    super('InstanceNorm1d', 3, (c) => `[batch, ${c}, length]`, features, options);
  }
}

/** Over NCHW images [batch, features, height, width] (features: the channels): after a Conv2d, as in style transfer. */
export class InstanceNorm2d extends InstanceNorm {
  constructor(features: number, options: InstanceNormOptions = {}) {
    super('InstanceNorm2d', 4, (c) => `[batch, ${c}, height, width]`, features, options);
  }
}
