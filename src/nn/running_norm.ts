// What BatchNorm and InstanceNorm share: each channel (axis 1) normalised to
// mean 0 and variance 1 (the population variance, plus epsilon) over axes the
// layer names, then, with affine, scaled and shifted by a learned weight and
// bias per channel. In training (and in eval mode without running estimates)
// the statistics are x's own; with trackRunningStats, training moves running
// estimates toward what it observed (by `momentum`, the variance unbiased, as
// PyTorch's) and eval mode normalises with those. The running estimates are
// buffers: saved and loaded with the model, not trained.
import { tidy } from '../engine.js';
import { ShapeError, ValueError, formatShape, formatValue } from '../errors.js';
import { ones, zeros } from '../ops/index.js';
import { checkOptions, type OptionNames } from '../options.js';
import { isRecomputing, noGrad } from '../tape.js';
import type { Tensor } from '../tensor.js';
import { Module } from './module.js';

export interface RunningNormOptions {
  /** Added to the variance before its square root (default 1e-5, PyTorch's eps). */
  epsilon?: number;
  /** How far each training step moves the running estimates toward what it observed (default 0.1, PyTorch's). */
  momentum?: number;
  /** A learned weight and bias per channel. */
  affine?: boolean;
  /** Keep running estimates for eval mode. */
  trackRunningStats?: boolean;
}

const OPTIONS: OptionNames<RunningNormOptions> = { epsilon: true, momentum: true, affine: 'boolean', trackRunningStats: 'boolean' };

/** A layer's settings, checked; `defaults` where BatchNorm's and InstanceNorm's differ. */
function settings(kind: string, features: number, options: RunningNormOptions, defaults: { affine: boolean; trackRunningStats: boolean }): Required<RunningNormOptions> {
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
function moveEstimate(running: Tensor, observed: Tensor, momentum: number, scale: number): void {
  // A checkpoint recomputing this layer's forward pass: the first pass moved the estimates already.
  if (isRecomputing()) return;
  noGrad(() => tidy(() => {
    running.assign(running.mul(1 - momentum).add(observed.reshape(running.shape).cast(running.dtype).mul(scale)));
  }));
}

/** How a layer takes its statistics from x: over which axes, and what of them its running estimates observe. */
export interface Statistics {
  /** The axes each mean and variance is over. */
  readonly axes: number[];
  /** The number of values each is over. */
  readonly count: number;
  /** The statistics the running estimates move toward, from x's (BatchNorm's: them; InstanceNorm's: their mean over the batch); null when there is nothing to observe. */
  readonly observed: (statistic: Tensor) => Tensor | null;
  /** The error where count < 2 (no variance to take). */
  readonly tooFew: () => string;
}

export abstract class RunningNorm extends Module {
  readonly epsilon: number;
  readonly momentum: number;
  /** Null without affine. */
  weight: Tensor | null;
  bias: Tensor | null;
  /** The running estimate of each channel's mean (f32, or f16 as loaded): what eval mode normalises with; null without trackRunningStats. */
  runningMean: Tensor | null;
  /** The running estimate of each channel's variance (unbiased). */
  runningVar: Tensor | null;

  constructor(protected readonly kind: string, readonly features: number, options: RunningNormOptions, defaults: { affine: boolean; trackRunningStats: boolean }) {
    super();
    const { epsilon, momentum, affine, trackRunningStats } = settings(kind, features, options, defaults);
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

  /** x normalised per channel with the statistics `stats` says how to take (or the running estimates, in eval mode). */
  protected normalise(x: Tensor, stats: Statistics): Tensor {
    const channels = x.shape.map((d, i) => (i === 1 ? d : 1));
    return tidy(() => {
      let mean: Tensor;
      let variance: Tensor;
      if (this.training || !this.runningMean || !this.runningVar) {
        if (stats.count < 2) throw new ShapeError(stats.tooFew());
        mean = x.mean(stats.axes, { keepDims: true });
        variance = x.variance(stats.axes, { keepDims: true });
        const [runningMean, runningVar] = [this.runningMean, this.runningVar];
        if (this.training && runningMean && runningVar) {
          const [observedMean, observedVariance] = [stats.observed(mean), stats.observed(variance)];
          if (observedMean && observedVariance) {
            // The variance unbiased, as PyTorch's.
            moveEstimate(runningMean, observedMean, this.momentum, this.momentum);
            moveEstimate(runningVar, observedVariance, this.momentum, (this.momentum * stats.count) / (stats.count - 1));
          }
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

  /** Refuses x whose rank is not one of `ranks` or whose channels are not the layer's, naming `expected`. */
  protected checkInput(x: Tensor, ranks: readonly number[], expected: string): void {
    if (!ranks.includes(x.rank) || x.shape[1] !== this.features) throw new ShapeError(`${this.kind}: x ${formatShape(x.shape)} is not ${expected}`);
  }

  override ownParameters(): Record<string, Tensor> {
    return this.weight && this.bias ? { weight: this.weight, bias: this.bias } : {};
  }

  override ownBuffers(): Record<string, Tensor> {
    return this.runningMean && this.runningVar ? { runningMean: this.runningMean, runningVar: this.runningVar } : {};
  }
}
