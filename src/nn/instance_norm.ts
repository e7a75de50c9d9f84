// InstanceNorm1d, InstanceNorm2d and InstanceNorm3d, as PyTorch's: each
// sample's channel normalised over its own positions (the length, the height
// and width, or the depth, height and width) to mean 0 and variance 1 (the
// population variance, plus epsilon); with affine, then scaled and shifted by
// a learned weight and bias per channel. PyTorch's
// defaults differ from BatchNorm's: no affine and no running estimates, so
// eval mode normalises each sample by its own statistics too. With
// trackRunningStats, training moves running estimates toward the batch's
// average of the samples' statistics (by `momentum`, each sample's variance
// unbiased, as PyTorch's), and eval mode normalises with them instead
// (running_norm.ts: what BatchNorm and InstanceNorm share). instanceNorm is
// PyTorch's F.instance_norm, over the estimates and parameters it is given.
import { ValueError, formatShape } from '../errors.js';
import { checkOptions, type OptionNames } from '../options.js';
import type { Tensor } from '../tensor.js';
import type { LayerConfig } from './module.js';
import { RunningNorm, checkChannelParts, normaliseChannels, type ChannelNormOptions, type RunningNormOptions, type Statistics } from './running_norm.js';

/** The statistics of each sample's channel over its positions (the axes after 1); `tooFew(count)`, the error where there is one position. */
function overPositions(x: Tensor, tooFew: (count: number) => string): Statistics {
  const count = x.shape.slice(2).reduce((n, d) => n * d, 1);
  return {
    axes: x.shape.slice(2).map((_, i) => i + 2),
    count,
    // The samples' statistics averaged over the batch: PyTorch moves one estimate per sample and averages those.
    // (An empty batch observes nothing: its average would be NaN.)
    observed: (statistic) => (x.shape[0] > 0 ? statistic.mean(0) : null),
    tooFew: () => tooFew(count),
  };
}

export interface InstanceNormFunctionOptions extends ChannelNormOptions {
  /** Normalise each sample by its own statistics, moving the running estimates (where given) toward their average (default true); false normalises by the running estimates. */
  useInputStats?: boolean;
}

const FUNCTION_OPTIONS: OptionNames<InstanceNormFunctionOptions> = { useInputStats: 'boolean', momentum: true, epsilon: true };

/**
 * PyTorch's F.instance_norm: each sample's channel of x [batch, channels,
 * positions...] normalised to mean 0 and variance 1 over its positions (the
 * population variance), then scaled by `weight` and shifted by `bias` where
 * given ([channels] each). runningMean and runningVar, where given, move
 * (assigned in place) toward the batch's average of the samples' statistics
 * by momentum, the variances unbiased; with useInputStats: false, x is
 * normalised by them instead.
 */
export function instanceNorm(
  x: Tensor, runningMean?: Tensor | null, runningVar?: Tensor | null, weight?: Tensor | null, bias?: Tensor | null, options: InstanceNormFunctionOptions = {},
): Tensor {
  const { useInputStats = true, momentum = 0.1, epsilon = 1e-5 } = checkOptions('instanceNorm', options, FUNCTION_OPTIONS);
  checkChannelParts('instanceNorm', x, 3, { runningMean, runningVar, weight, bias }, momentum, epsilon);
  if (!useInputStats && !runningMean) throw new ValueError('instanceNorm: with useInputStats: false x is normalised by runningMean and runningVar, and neither was given');
  const stats = overPositions(x, (count) => `instanceNorm: normalising each sample by its own statistics needs more than one value per channel to take a variance of, x ${formatShape(x.shape)} has ${count}`);
  return normaliseChannels(x, stats, {
    runningMean: runningMean ?? null, runningVar: runningVar ?? null, weight: weight ?? null, bias: bias ?? null,
    useInputStats, updateRunning: useInputStats, momentum, epsilon,
  });
}

export interface InstanceNormOptions extends RunningNormOptions {
  /** A learned weight and bias per channel (default false, as PyTorch's). */
  affine?: boolean;
  /** Keep running estimates, which eval mode then normalises with (default false, as PyTorch's: eval mode uses each sample's own statistics). */
  trackRunningStats?: boolean;
}

abstract class InstanceNorm extends RunningNorm {
  constructor(kind: 'InstanceNorm1d' | 'InstanceNorm2d' | 'InstanceNorm3d', private readonly rank: number, private readonly expected: (features: number) => string, features: number, options: InstanceNormOptions) {
    super(kind, features, options, { affine: false, trackRunningStats: false });
  }

  forward(x: Tensor): Tensor {
    this.checkInput(x, [this.rank], this.expected(this.features));
    // PyTorch refuses one position too: a lone value normalises to 0, and its unbiased variance divides by 0.
    return this.normalise(x, overPositions(x, (count) => `${this.kind}: normalising each sample by its own statistics needs more than one value per channel to take a variance of, x ${formatShape(x.shape)} has ${count}`));
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

/** Over NCDHW volumes [batch, features, depth, height, width]: after a Conv3d. */
export class InstanceNorm3d extends InstanceNorm {
  constructor(features: number, options: InstanceNormOptions = {}) {
    super('InstanceNorm3d', 5, (c) => `[batch, ${c}, depth, height, width]`, features, options);
  }
}
