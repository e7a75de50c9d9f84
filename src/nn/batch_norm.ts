// BatchNorm1d, BatchNorm2d and BatchNorm3d, as PyTorch's: each channel (axis
// 1) normalised over the batch (and the length, the height and width, or the
// depth, height and width) to mean 0 and variance 1, then scaled and shifted
// by a learned weight and bias. Training
// normalises with the batch's own statistics (the population variance) and
// moves running estimates toward them (by `momentum`, the variance unbiased);
// eval mode (predict, evaluate) normalises with the running estimates
// (running_norm.ts: what BatchNorm and InstanceNorm share). batchNorm is
// PyTorch's F.batch_norm, over the estimates and parameters it is given.
import { ValueError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import type { LayerConfig } from './module.js';
import { RunningNorm, checkChannelParts, normaliseChannels, type ChannelNormOptions, type RunningNormOptions, type Statistics } from './running_norm.js';

/** The statistics of each channel (axis 1) over every other axis; `tooFew(count)`, the error where there is one value each. */
function overBatch(x: Tensor, tooFew: (count: number) => string): Statistics {
  const axes = x.shape.flatMap((_, i) => (i === 1 ? [] : [i]));
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  return { axes, count, observed: (statistic) => statistic, tooFew: () => tooFew(count) };
}

export interface BatchNormFunctionOptions extends ChannelNormOptions {
  /** Normalise by x's statistics and move the running estimates toward them (default false: normalise by the running estimates). */
  training?: boolean;
}

const FUNCTION_OPTIONS: OptionNames<BatchNormFunctionOptions> = { training: 'boolean', momentum: true, epsilon: true };

/**
 * PyTorch's F.batch_norm: each channel of x [batch, channels, ...]
 * normalised to mean 0 and variance 1 over the batch and positions, then
 * scaled by `weight` and shifted by `bias` where given ([channels] each).
 * In training, by x's own statistics (the population variance), moving
 * runningMean and runningVar (where given, assigned in place) toward them
 * by momentum, the variance unbiased; otherwise by runningMean and
 * runningVar, which must then be given.
 */
export function batchNorm(
  x: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, weight?: Tensor | null, bias?: Tensor | null, options: BatchNormFunctionOptions = {},
): Tensor {
  const { training = false, momentum = 0.1, epsilon = 1e-5 } = checkOptions('batchNorm', options, FUNCTION_OPTIONS);
  checkChannelParts('batchNorm', x, 2, { runningMean, runningVar, weight, bias }, momentum, epsilon);
  if (!training && !runningMean) throw new ValueError('batchNorm: outside training (training: false, the default) x is normalised by runningMean and runningVar, and neither was given; pass training: true to normalise by x\'s own statistics');
  const stats = overBatch(x, (count) => `batchNorm: training needs more than one value per channel to take a variance of, x ${formatShape(x.shape)} has ${count}`);
  return normaliseChannels(x, stats, {
    runningMean: runningMean ?? null, runningVar: runningVar ?? null, weight: weight ?? null, bias: bias ?? null,
    useInputStats: training, updateRunning: training, momentum, epsilon,
  });
}

export interface BatchNormOptions extends RunningNormOptions {
  /** A learned weight and bias per channel (default true); false normalises only. */
  affine?: boolean;
  /** Keep running estimates for eval mode (default true); false normalises with the batch's statistics in eval mode too, as PyTorch's. */
  trackRunningStats?: boolean;
}

abstract class BatchNorm extends RunningNorm {
  constructor(kind: 'BatchNorm1d' | 'BatchNorm2d' | 'BatchNorm3d', private readonly ranks: readonly number[], private readonly expected: (features: number) => string, features: number, options: BatchNormOptions) {
    super(kind, features, options, { affine: true, trackRunningStats: true });
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x, this.ranks, this.expected(this.features));
    return this.normalise(x, overBatch(x, (count) => this.training
      ? `${this.kind}: training needs more than one value per channel to take a variance of, x ${formatShape(x.shape)} has ${count} (in fit, a last batch of one sample: pass dropLast: true, or a batchSize that does not leave one over)`
      : `${this.kind}: without running estimates (trackRunningStats: false) eval mode too normalises by the batch, which needs more than one value per channel; x ${formatShape(x.shape)} has ${count}`));
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

/** Over NCDHW volumes [batch, features, depth, height, width] (features: the channels): after a Conv3d. */
export class BatchNorm3d extends BatchNorm {
  constructor(features: number, options: BatchNormOptions = {}) {
    super('BatchNorm3d', [5], (c) => `[batch, ${c}, depth, height, width]`, features, options);
  }
}
